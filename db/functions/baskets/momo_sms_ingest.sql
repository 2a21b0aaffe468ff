create or replace function momo_sms_ingest(
    p_message text,
    p_msisdn text default null,
    p_received_at text default null,
    p_ingest_source text default null,
    p_metadata jsonb default null,
    p_receiving_account text default null,
    p_gateway text default null,
    p_gateway_message_id text default null
)
returns table (inbox_id bigint, duplicate boolean)
language sql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
    -- A batch of one: the checks and the dedupe live in momo_sms_ingest_batch.
    select b.inbox_id, b.duplicate
    from momo_sms_ingest_batch(array[row(
        p_message, p_msisdn, p_received_at, p_ingest_source, p_metadata, p_receiving_account,
        p_gateway, p_gateway_message_id
    )::momo_sms_delivery]) as b;
$$;

comment on function momo_sms_ingest(text, text, text, text, jsonb, text, text, text) is
'Stores one SMS from the gateway exactly once (dedupe on sha256 of message|msisdn|receivedAt, '
'and on the gateway''s own message id when it has one), with the account that received it. '
'Returns the inbox id and whether it was a repeated delivery (whose duplicate_count it bumps). '
'Invalid input raises MM400 naming the field (see momo_sms_ingest_batch, which does the work).';
