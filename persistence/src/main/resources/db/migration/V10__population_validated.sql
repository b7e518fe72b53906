-- Whether the patient's age lies in the population the model was validated for (pneumonia-v2: 1-5 paediatric,
-- 18+ adult). False: age unknown or outside both (0, 6-17), and the default population's operating point was
-- applied; the API, the portal and FHIR show such a result as "not validated for this patient's age".
-- Null for a model without populations (v1) and for analyses not read.
alter table analysis add column population_validated boolean;
alter table analysis add constraint analysis_population_validated_ck
    check (population_validated is null or population is not null);
