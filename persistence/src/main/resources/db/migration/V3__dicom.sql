-- DICOM identity of an analysis. The SOP Instance UID is the idempotency key for DICOM: the same instance sent
-- twice is one analysis, and a repeat never replaces or deletes the first.
alter table analysis add column study_instance_uid varchar(64);
alter table analysis add column sop_instance_uid   varchar(64);
alter table analysis add column view_position      varchar(16);
create unique index analysis_sop_once on analysis (tenant, sop_instance_uid) where sop_instance_uid is not null;
