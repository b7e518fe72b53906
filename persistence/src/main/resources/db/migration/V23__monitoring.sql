-- Drift and agreement monitoring per tenant and model version (issue 16, part 4).
-- The raw grey levels of each analysed image, before the model's windowing and normalisation, on a 0..1 scale of the
-- stored bit depth, at the model's input size: mean, standard deviation, 1st and 99th percentile. Written by the
-- worker with the result (same commit); null for images never read (FAILED, NOT_APPLICABLE from DICOM metadata) and
-- for rows from before V21. Aggregates only ever leave the database: results-service compares each tenant's recent
-- images with its own reference (population stability index).
alter table analysis add column raw_mean double precision;
alter table analysis add column raw_std double precision;
alter table analysis add column raw_p01 double precision;
alter table analysis add column raw_p99 double precision;
alter table analysis add constraint analysis_raw_stats_ck
    check ((raw_mean is null or raw_mean between 0 and 1) and (raw_std is null or raw_std between 0 and 1)
           and (raw_p01 is null or raw_p01 between 0 and 1) and (raw_p99 is null or raw_p99 between 0 and 1));
-- the monitor reads one tenant's rows of one version in completion order (reference: the first N; recent: a window)
create index analysis_tenant_version_completed on analysis (tenant, model_version, completed_at);

-- One row per tenant and version per monitoring run: the figures the gauges show, kept for the plot over time.
-- Counts and rates only, no analysis ids, no patient data.
create table monitoring_snapshot (
    id                     bigserial        primary key,
    tenant                 varchar(63)      not null references tenant (id) on delete cascade,
    model_version          varchar(64)      not null,
    at                     timestamptz      not null,
    reference_analyses     integer          not null,
    reference_complete     boolean          not null,
    recent_analyses        integer          not null,
    -- population stability index of recent against the reference (10 bins from the reference's deciles);
    -- null until the reference is complete or while too few recent analyses exist
    intensity_psi          double precision,
    score_psi              double precision,
    -- radiologists' reviews of this version's results: confirmed = same call as the model
    reviewed               integer          not null,
    confirmed              integer          not null,
    agreement              double precision,
    agreement_lower        double precision,
    agreement_upper        double precision,
    -- the tenant's shadow version, if any, against this (active) one
    shadow_version         varchar(64),
    shadow_compared        integer          not null,
    shadow_agreed          integer          not null,
    shadow_agreement       double precision,
    -- the applicability gate: NOT_APPLICABLE share of what this version was given, recently and in the reference
    gate_total             integer          not null,
    gate_rejected          integer          not null,
    gate_rejection_rate    double precision,
    reference_gate_rejection_rate double precision
);
create index monitoring_snapshot_tenant_at on monitoring_snapshot (tenant, model_version, at desc);
