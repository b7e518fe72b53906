-- What each hospital bought (first part of subscriptions: validity, upload rate, monthly allowance).
alter table tenant add column plan                   varchar(32) not null default 'standard';
alter table tenant add column valid_until            timestamptz;
alter table tenant add column max_uploads_per_minute integer     not null default 600;
alter table tenant add column monthly_allowance      integer     not null default 100000;
alter table tenant add column overage_policy         varchar(16) not null default 'ACCEPT';
alter table tenant add constraint tenant_overage_ck check (overage_policy in ('ACCEPT', 'REJECT'));

-- Upload attempts per tenant per minute, counted in the database so every ingest replica sees the same count.
create table upload_rate (
    tenant       varchar(63) not null,
    window_start timestamptz not null,
    uploads      integer     not null,
    primary key (tenant, window_start)
);

alter table analysis add column overage boolean not null default false;
