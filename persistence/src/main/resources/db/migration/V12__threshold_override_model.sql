-- A threshold is a point on one model's calibrated scale: the per-population overrides are kept with the model
-- version they were set for, and a worker serving another version ignores them (pneumonia-v3 has other heads and
-- another calibration than v2). Overrides set so far were set for pneumonia-v2, the only model with populations.
alter table tenant add column threshold_override_model varchar(64);
update tenant set threshold_override_model = 'pneumonia-v2'
    where threshold_override_paediatric is not null or threshold_override_adult is not null;
