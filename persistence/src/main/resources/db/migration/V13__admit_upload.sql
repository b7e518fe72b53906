-- Admission of one upload in one statement (issue 14: ingest's database work per upload was a Hibernate query for a
-- duplicate, a transaction loading the tenant entity, the per-minute upsert and the month's count, then a second
-- transaction for the row and its event). admit_upload answers, in one round trip, what SubscriptionGuard decided in
-- Java before: a duplicate of an analysis the tenant already has (its status), a refusal (unknown tenant, suspended,
-- not yet valid, expired, over the per-minute limit, monthly allowance used up under REJECT), or admission with its
-- overage flag and lane. A refusal takes back its own per-minute increment, so exactly the allowed number of uploads
-- get through however many ingest replicas call it (the upsert locks the tenant's minute row until commit).
-- The row and its outbox event are written afterwards, once the image is durable in the object store (see
-- IngestService): admitting first means a refused upload never leaves an image behind.
create function admit_upload(p_tenant varchar, p_analysis uuid, p_urgent boolean)
    returns table (outcome varchar, existing_status varchar, overage boolean, urgent_lane boolean,
                   detail varchar, retry_after integer)
    language plpgsql as $$
declare
    t        tenant%rowtype;
    existing varchar;
    uploads  integer;
    urgent   integer;
    used     bigint;
    u        integer := case when p_urgent then 1 else 0 end;
begin
    select * into t from tenant where id = p_tenant;
    if not found then
        return query select 'UNKNOWN_TENANT'::varchar, null::varchar, false, false, null::varchar, null::integer;
        return;
    end if;
    select a.status into existing from analysis a where a.id = p_analysis and a.tenant = p_tenant;
    if found then
        return query select 'DUPLICATE'::varchar, existing, false, false, null::varchar, null::integer;
        return;
    end if;
    if t.status <> 'ACTIVE' then
        return query select 'SUSPENDED'::varchar, null::varchar, false, false, null::varchar, null::integer;
        return;
    end if;
    if t.valid_from is not null and t.valid_from > now() then
        return query select 'NOT_YET_VALID'::varchar, null::varchar, false, false,
                            to_char(t.valid_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')::varchar, null::integer;
        return;
    end if;
    if t.valid_until is not null and t.valid_until <= now() then
        return query select 'EXPIRED'::varchar, null::varchar, false, false,
                            to_char(t.valid_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')::varchar, null::integer;
        return;
    end if;
    insert into upload_rate as r (tenant, window_start, uploads, urgent_uploads)
    values (p_tenant, date_trunc('minute', now()), 1, u)
    on conflict (tenant, window_start) do update set uploads = r.uploads + 1, urgent_uploads = r.urgent_uploads + u
    returning r.uploads, r.urgent_uploads into uploads, urgent;
    if uploads > t.max_uploads_per_minute then
        update upload_rate set uploads = upload_rate.uploads - 1, urgent_uploads = upload_rate.urgent_uploads - u
            where tenant = p_tenant and window_start = date_trunc('minute', now());
        return query select 'RATE_LIMITED'::varchar, null::varchar, false, false,
                            t.max_uploads_per_minute::varchar,
                            (60 - floor(extract(second from now()))::integer % 60)::integer;
        return;
    end if;
    select count(*) into used from analysis a
        where a.tenant = p_tenant and a.received_at >= date_trunc('month', now());
    if used >= t.monthly_allowance and t.overage_policy = 'REJECT' then
        update upload_rate set uploads = upload_rate.uploads - 1, urgent_uploads = upload_rate.urgent_uploads - u
            where tenant = p_tenant and window_start = date_trunc('minute', now());
        return query select 'ALLOWANCE_USED'::varchar, null::varchar, false, false,
                            t.monthly_allowance::varchar, null::integer;
        return;
    end if;
    return query select 'ADMITTED'::varchar, null::varchar, used >= t.monthly_allowance,
                        p_urgent and urgent <= t.urgent_per_minute, null::varchar, null::integer;
end $$;
