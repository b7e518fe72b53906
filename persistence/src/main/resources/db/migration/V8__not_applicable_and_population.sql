-- pneumonia-v2: an image the model may not read (lateral, CT, not a radiograph...) ends NOT_APPLICABLE with its
-- reason and never carries a probability; each analysis records the population whose operating point applied
-- (paediatric / adult) and the patient's age in years when known (from DICOM or the upload; no birth date kept).
alter table analysis drop constraint analysis_status_ck;
alter table analysis add constraint analysis_status_ck
    check (status in ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'NOT_APPLICABLE'));
alter table analysis add column not_applicable_reason varchar(500);
alter table analysis add column population varchar(16);
alter table analysis add column patient_age_years smallint;
alter table analysis add constraint analysis_patient_age_ck check (patient_age_years between 0 and 130);
alter table analysis add constraint analysis_population_ck check (population in ('paediatric', 'adult'));
-- no code path can leak a probability for an image the model did not read
alter table analysis add constraint analysis_not_applicable_ck
    check (status <> 'NOT_APPLICABLE' or (probability is null and positive is null and threshold is null));
