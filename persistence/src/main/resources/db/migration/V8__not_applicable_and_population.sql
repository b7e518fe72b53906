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
-- no code path can leak a probability (or the heat map of one) for an image the model did not read
alter table analysis add constraint analysis_not_applicable_ck
    check (status <> 'NOT_APPLICABLE'
           or (probability is null and positive is null and threshold is null and heatmap_key is null));

-- Per-population decision threshold overrides (tenant-admin, /api/tenant/settings), each used only inside its
-- population's validated range. threshold_override stays for compatibility: it is the single override of a model
-- without populations (pneumonia-v1, still loadable). A v1-calibrated override is not valid for v2's
-- per-population calibration (other probability scale, other operating points), so it is not carried over: the new
-- columns start empty and each population's own threshold applies until the tenant sets an override for it.
alter table tenant add column threshold_override_paediatric double precision;
alter table tenant add column threshold_override_adult double precision;
alter table tenant add constraint tenant_threshold_override_paediatric_ck
    check (threshold_override_paediatric between 0 and 1);
alter table tenant add constraint tenant_threshold_override_adult_ck check (threshold_override_adult between 0 and 1);

-- NOT_APPLICABLE analyses are metered into the ledger too, counted apart and never billed (the tenant got no
-- reading): such a row has not_applicable = 1 and no studies, model time, storage or overage. So usage_record is
-- now one row per COMPLETED or NOT_APPLICABLE analysis.
alter table usage_record add column not_applicable integer not null default 0;
alter table usage_record add constraint usage_record_not_applicable_ck
    check (not_applicable = 0
           or (not_applicable = 1 and studies = 0 and inference_ms = 0 and storage_bytes = 0 and not overage));
