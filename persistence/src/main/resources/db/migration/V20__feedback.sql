-- Radiologists' reviews as curated training data (issue 16, part 5). A data-use agreement says that a tenant's
-- reviewed studies may be used for model improvement: requested by the tenant's admin, granted by a platform
-- operator, ended by either. At most one is ACTIVE per tenant; only an ACTIVE one lets an export read the tenant's
-- studies, and only those received inside its period (open ends: unbounded).
create table data_use_agreement (
    id             bigserial    primary key,
    tenant         varchar(63)  not null references tenant (id),
    scope          varchar(32)  not null,
    period_from    timestamptz,
    period_to      timestamptz,
    terms_version  varchar(40)  not null,
    status         varchar(16)  not null default 'REQUESTED',
    requested_by   varchar(200) not null,
    requested_at   timestamptz  not null default now(),
    granted_by     varchar(200),
    granted_at     timestamptz,
    ended_by       varchar(200),
    ended_at       timestamptz,
    constraint data_use_agreement_status_ck check (status in ('REQUESTED', 'ACTIVE', 'ENDED')),
    constraint data_use_agreement_scope_ck check (scope in ('MODEL_IMPROVEMENT')),
    constraint data_use_agreement_period_ck check (period_from is null or period_to is null or period_from < period_to),
    constraint data_use_agreement_granted_ck check (status = 'REQUESTED' or granted_at is not null or ended_at is not null),
    constraint data_use_agreement_ended_ck check (status <> 'ENDED' or ended_at is not null)
);
create unique index data_use_agreement_one_active on data_use_agreement (tenant) where status = 'ACTIVE';
create index data_use_agreement_tenant_ix on data_use_agreement (tenant, requested_at desc);

-- One export of a tenant's reviewed studies: a de-identified zip outside every tenant prefix (object_key under
-- platform/feedback-exports/), the agreement and terms it was made under, what went in and what was left out. The
-- row (and its items) stays when the zip expires (deleted_at): it is the operator's record of what left the tenant.
create table feedback_export (
    id                  uuid         primary key,
    tenant              varchar(63)  not null references tenant (id),
    agreement_id        bigint       not null references data_use_agreement (id),
    terms_version       varchar(40)  not null,
    period_from         timestamptz,
    period_to           timestamptz,
    object_key          varchar(200) not null,
    included            integer      not null,
    left_out_burned_in  integer      not null,
    left_out_unreadable integer      not null,
    size_bytes          bigint       not null,
    sha256              char(64)     not null,
    created_by          varchar(200) not null,
    created_at          timestamptz  not null default now(),
    expires_at          timestamptz  not null,
    deleted_at          timestamptz
);
create index feedback_export_tenant_ix on feedback_export (tenant, created_at desc);
create index feedback_export_expiry_ix on feedback_export (expires_at) where deleted_at is null;

-- Every analysis an export considered, with the per-export sample name and patient key it got: a re-export, or a
-- question about one study, is traceable here and nowhere else (the zip itself carries no analysis id). No foreign
-- key to analysis: retention deletes analyses, the record of what was exported stays.
create table feedback_export_item (
    export_id   uuid        not null references feedback_export (id),
    analysis_id uuid        not null,
    sample      varchar(16) not null,
    patient_key char(32)    not null,
    outcome     varchar(24) not null,
    primary key (export_id, analysis_id),
    constraint feedback_export_item_outcome_ck check (outcome in ('INCLUDED', 'LEFT_OUT_BURNED_IN', 'LEFT_OUT_UNREADABLE'))
);
