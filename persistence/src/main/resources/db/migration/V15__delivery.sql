-- Results back to the hospital (issue 15). Deliveries to a PACS go through the platform's one outbox (ADR 0004) on
-- their own channel: the relay of the service that publishes a channel claims only that channel's rows. A delivery
-- that fails waits before its next attempt (next_attempt_at, growing with its attempts) and is dead-lettered after a
-- bound (dead_at), while Kafka events (channel 'kafka') keep being retried: a broker outage must not lose an image.
-- (V14 was left unused: the DICOM AE titles, written alongside, are V16.)
alter table outbox_event add column channel varchar(16) not null default 'kafka';
alter table outbox_event add column tenant varchar(63);
alter table outbox_event add column next_attempt_at timestamptz;
alter table outbox_event add column dead_at timestamptz;
drop index outbox_event_pending_ix;
create index outbox_event_pending_ix on outbox_event (channel, id) where published_at is null and dead_at is null;
-- one delivery of one object kind of one analysis to one destination, however often its completion is announced
create unique index outbox_event_delivery_ux on outbox_event (subject, event_key) where channel = 'pacs';
create index outbox_event_tenant_ix on outbox_event (tenant, created_at desc) where channel = 'pacs';

-- Where a tenant's results go: its PACS, by STOW-RS (a DICOMweb base URL) or C-STORE (an AE on host:port).
create table pacs_destination (
    id         varchar(63)  primary key,
    tenant     varchar(63)  not null references tenant (id),
    protocol   varchar(16)  not null,
    url        varchar(500),
    host       varchar(255),
    port       integer,
    called_ae  varchar(16),
    calling_ae varchar(16),
    enabled    boolean      not null default true,
    created_at timestamptz  not null default now(),
    constraint pacs_destination_protocol_ck check (protocol in ('STOW_RS', 'C_STORE')),
    constraint pacs_destination_target_ck check (
        (protocol = 'STOW_RS' and url is not null)
        or (protocol = 'C_STORE' and host is not null and port between 1 and 65535 and called_ae is not null))
);
create index pacs_destination_tenant_ix on pacs_destination (tenant);
