-- A tenant's result destinations are its PACS (STOW-RS, C-STORE) and its RIS (HL7 v2 ORU^R01 over MLLP, issue 15.3):
-- one table for both, renamed from pacs_destination. The RIS is named by its HL7 application and facility
-- (MSH-5/MSH-6) and reached at host:port.
alter table pacs_destination rename to result_destination;
alter index pacs_destination_tenant_ix rename to result_destination_tenant_ix;
alter table result_destination drop constraint pacs_destination_protocol_ck;
alter table result_destination drop constraint pacs_destination_target_ck;
alter table result_destination add column receiving_application varchar(180);
alter table result_destination add column receiving_facility varchar(180);
alter table result_destination add constraint result_destination_protocol_ck
    check (protocol in ('STOW_RS', 'C_STORE', 'HL7_MLLP'));
alter table result_destination add constraint result_destination_target_ck check (
    (protocol = 'STOW_RS' and url is not null)
    or (protocol = 'C_STORE' and host is not null and port between 1 and 65535 and called_ae is not null)
    or (protocol = 'HL7_MLLP' and host is not null and port between 1 and 65535));
