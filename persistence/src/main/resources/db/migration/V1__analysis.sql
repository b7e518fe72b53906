-- One row per submitted image. The id is derived from (tenant, study, image hash), so a re-sent image
-- maps to the same row and every writer can be idempotent.
create table analysis (
    id                  uuid primary key,
    tenant              varchar(63)  not null,
    study_id            varchar(128) not null,
    patient_ref         varchar(128) not null,
    referring_physician varchar(128),
    priority            varchar(16)  not null,
    image_key           varchar(256) not null,
    image_sha256        char(64)     not null,
    content_type        varchar(64)  not null,
    size_bytes          bigint       not null,
    status              varchar(16)  not null,
    probability         double precision,
    positive            boolean,
    threshold           double precision,
    model_version       varchar(64),
    heatmap_key         varchar(256),
    failure_reason      varchar(512),
    received_at         timestamptz  not null,
    completed_at        timestamptz,
    inference_ms        integer,
    attempts            integer      not null default 0,
    constraint analysis_status_ck check (status in ('QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED')),
    constraint analysis_image_once unique (tenant, study_id, image_sha256)
);

create index analysis_tenant_received on analysis (tenant, received_at desc);
create index analysis_tenant_triage on analysis (tenant, positive, probability desc);
