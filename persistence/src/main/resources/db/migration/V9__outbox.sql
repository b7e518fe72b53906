-- Transactional outbox (ADR 0004): an event is written in the same transaction as the row it announces, and a
-- relay publishes it to Kafka afterwards, re-publishing whatever is still pending after a crash or a broker outage.
-- So a 2xx given for an upload can never lose its event, and a client's retry can never publish a second one.
-- (V7 was left unused by an earlier change; Flyway applies V9 after V8 as usual.)
create table outbox_event (
    id           bigserial primary key,
    topic        varchar(200)  not null,
    event_key    varchar(300)  not null,
    payload      text          not null,
    -- what the event is about, for operators (an analysis id today; a delivery id for PACS/RIS exports later)
    subject      varchar(100)  not null,
    created_at   timestamptz   not null default now(),
    published_at timestamptz,
    attempts     integer       not null default 0,
    last_error   varchar(500)
);
-- the relay's queue: only pending rows, oldest first
create index outbox_event_pending_ix on outbox_event (id) where published_at is null;
create index outbox_event_published_ix on outbox_event (published_at) where published_at is not null;
