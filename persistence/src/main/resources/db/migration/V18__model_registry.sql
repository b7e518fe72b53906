-- The model registry and per-tenant rollout (issue 16). A version is a manifest plus its parameters, identified by
-- its manifest's version string and by the SHA-256 of both (content_sha256): the worker loads a version by id and
-- checks the hash before it reads anything with it. SHIPPED versions are in the worker image (the bootstrap
-- default); REGISTRY versions live in the object store under object_prefix. Status: CANDIDATE when registered,
-- SHADOW once some tenant runs it in shadow, ACTIVE once some tenant runs it for its clinicians, RETIRED when no
-- tenant may use it any more.
create table model_version (
    id               varchar(64)  primary key,
    name             varchar(40)  not null,
    content_sha256   char(64)     not null unique,
    source           varchar(16)  not null,
    object_prefix    varchar(200),
    status           varchar(16)  not null default 'CANDIDATE',
    manifest         text         not null,
    -- whether a promotion gate compared it with the version it would replace, and what it printed
    gate_accepted    boolean,
    gate_report      text,
    -- the version a tenant without an assignment of its own runs; exactly one row once bootstrapped
    platform_default boolean      not null default false,
    registered_by    varchar(200) not null,
    registered_at    timestamptz  not null default now(),
    promoted_by      varchar(200),
    promoted_at      timestamptz,
    retired_by       varchar(200),
    retired_at       timestamptz,
    constraint model_version_status_ck check (status in ('CANDIDATE', 'SHADOW', 'ACTIVE', 'RETIRED')),
    constraint model_version_source_ck check (source in ('SHIPPED', 'REGISTRY')),
    constraint model_version_object_ck check (source = 'SHIPPED' or object_prefix is not null)
);
create unique index model_version_one_default on model_version (platform_default) where platform_default;

-- A tenant's assignment: null active means the platform default. Read by the worker with the tenant row it already
-- loads for every batch, so a change takes effect on the next batch without a restart.
alter table tenant add column active_model_version varchar(64) references model_version (id);
alter table tenant add column shadow_model_version varchar(64) references model_version (id);

-- Every rollout change, with what each tenant ran before it, so that one call can undo it.
create table model_rollout (
    id             bigserial    primary key,
    at             timestamptz  not null default now(),
    actor          varchar(200) not null,
    action         varchar(16)  not null,
    model_version  varchar(64)  references model_version (id),
    scope          varchar(300) not null,
    -- JSON: tenant id -> {"active": ..., "shadow": ...} before this change
    previous       text         not null,
    rolled_back_at timestamptz,
    rolled_back_by varchar(200),
    constraint model_rollout_action_ck check (action in ('ACTIVATE', 'SHADOW', 'END_SHADOW', 'ROLLBACK'))
);

-- The exact version behind every result: its content hash beside the version id (model_version).
alter table analysis add column model_sha256 char(64);

-- A shadow version's reading of an analysis's image, in the same batch as the active one's. Never shown to
-- clinicians; the tenant admin sees the comparison, the operator aggregates only.
create table analysis_shadow (
    analysis_id           uuid             not null references analysis (id) on delete cascade,
    tenant                varchar(63)      not null,
    model_version         varchar(64)      not null references model_version (id),
    model_sha256          char(64)         not null,
    status                varchar(16)      not null,
    probability           double precision,
    positive              boolean,
    threshold             double precision,
    population            varchar(16),
    not_applicable_reason varchar(500),
    completed_at          timestamptz      not null,
    primary key (analysis_id, model_version),
    constraint analysis_shadow_status_ck check (status in ('COMPLETED', 'NOT_APPLICABLE'))
);
create index analysis_shadow_tenant_ix on analysis_shadow (tenant, model_version, completed_at);
