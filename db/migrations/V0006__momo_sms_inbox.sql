create table momo_sms_inbox (
    id bigint generated always as identity primary key,
    hash text not null unique check (hash ~ '^[0-9a-f]{64}$'),
    raw_text text not null check (raw_text <> '' and length(raw_text) <= 2000),
    msisdn_raw text check (length(msisdn_raw) <= 64),
    received_at timestamptz not null,
    ingest_source text not null default 'gateway'
    check (ingest_source <> '' and length(ingest_source) <= 64),
    metadata jsonb,
    ingested_at timestamptz not null default now(),
    duplicate_count integer not null default 0 check (duplicate_count >= 0),
    last_duplicate_at timestamptz,
    processed_at timestamptz,
    attempts integer not null default 0 check (attempts >= 0),
    last_error text,
    next_attempt_at timestamptz
);

comment on table momo_sms_inbox is
'Every mobile-money SMS the gateway delivered, once (hash = sha256 of message|msisdn|receivedAt). '
'processed_at null means it waits for the allocator; last_error says why the last attempt '
'did not allocate; duplicate_count counts repeated deliveries.';

comment on column momo_sms_inbox.msisdn_raw is
'The SMS sender as the gateway saw it: for mobile-money notifications the operator '
'(e.g. M-Money), never the payer.';

-- The allocator's queue: unprocessed rows in arrival order.
create index momo_sms_inbox_queue_idx on momo_sms_inbox (id) where processed_at is null;
create index momo_sms_inbox_last_error_idx on momo_sms_inbox (last_error)
where last_error is not null;
create index momo_sms_inbox_processed_at_idx on momo_sms_inbox (processed_at);
