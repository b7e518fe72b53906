-- Usage ledger: one row per completed analysis, written by the metering consumer from the worker's
-- analysis-completed events. The analysis id is the key, so a redelivered event cannot count twice;
-- rows are never changed or deleted (retention removes patient data, not billing records).
create table usage_record (
    analysis_id   uuid        primary key,
    tenant        varchar(63) not null,
    usage_day     date        not null,
    studies       integer     not null check (studies >= 0),
    inference_ms  bigint      not null check (inference_ms >= 0),
    storage_bytes bigint      not null check (storage_bytes >= 0),
    overage       boolean     not null,
    completed_at  timestamptz not null,
    recorded_at   timestamptz not null default now()
);
create index usage_record_tenant_day on usage_record (tenant, usage_day);

create function usage_record_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'usage_record is append-only';
end $$;
create trigger usage_record_no_change before update or delete on usage_record
    for each row execute function usage_record_append_only();

-- What the worker stored beside the original, so a re-announced result carries the same usage figures.
alter table analysis add column heatmap_bytes bigint;

-- URGENT uploads per tenant per minute: only those within the plan's urgent allowance use the urgent lane.
alter table upload_rate add column urgent_uploads integer not null default 0;
