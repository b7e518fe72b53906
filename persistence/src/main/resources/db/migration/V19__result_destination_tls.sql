-- TLS per result destination (issue 15): a C-STORE association (DICOM PS3.15 Annex B) or an MLLP connection to the
-- hospital over TLS. tls_ca_pem is the hospital's CA certificate(s) as PEM that the peer's certificate must chain to;
-- null trusts the JVM's default CAs. STOW-RS needs neither: an https url already is TLS.
alter table result_destination add column tls boolean not null default false;
alter table result_destination add column tls_ca_pem text;
alter table result_destination add constraint result_destination_tls_ck
    check (not tls or protocol in ('C_STORE', 'HL7_MLLP'));
alter table result_destination add constraint result_destination_tls_ca_ck check (tls or tls_ca_pem is null);
