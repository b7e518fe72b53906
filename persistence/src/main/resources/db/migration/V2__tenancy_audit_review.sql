-- Tenants (hospitals) known to the platform; onboarding creates them, ingest refuses unknown ones.
create table tenant (
    id                 varchar(63)  primary key,
    name               varchar(200) not null,
    status             varchar(16)  not null default 'ACTIVE',
    retention_days     integer      not null default 3650,
    threshold_override double precision,
    device_client_id   varchar(100),
    created_at         timestamptz  not null default now(),
    constraint tenant_status_ck check (status in ('ACTIVE', 'SUSPENDED'))
);

-- The radiologist's reading, recorded beside the model's.
alter table analysis add column review_label    varchar(16);
alter table analysis add column review_comment  varchar(2000);
alter table analysis add column reviewed_by     varchar(128);
alter table analysis add column reviewed_at     timestamptz;
alter table analysis add constraint analysis_review_ck check (review_label in ('PNEUMONIA', 'NO_PNEUMONIA'));

-- Who read or changed what, when, from where. Append-only: the database itself refuses updates and deletes.
create table audit_event (
    id            bigserial    primary key,
    at            timestamptz  not null default now(),
    tenant        varchar(63),
    actor         varchar(200) not null,
    actor_roles   varchar(200),
    action        varchar(64)  not null,
    resource_type varchar(32),
    resource_id   varchar(64),
    outcome       varchar(16)  not null,
    http_status   integer,
    source        varchar(100)
);
create index audit_tenant_at on audit_event (tenant, at desc);

create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only';
end $$;
create trigger audit_event_no_update before update or delete on audit_event
    for each row execute function audit_event_append_only();
