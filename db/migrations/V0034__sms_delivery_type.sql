-- momo_sms_ingest_batch takes one array of deliveries of one composite type
-- (it took eight parallel arrays, one per field). The function is re-created
-- from db/functions/baskets/momo_sms_ingest_batch.sql after this migration.
drop function if exists momo_sms_ingest_batch(
    text[], text[], text[], text[], jsonb[], text[], text[], text[]
);

create type momo_sms_delivery as (
    message text,
    msisdn text,
    received_at text,
    ingest_source text,
    metadata jsonb,
    receiving_account text,
    gateway text,
    gateway_message_id text
);

comment on type momo_sms_delivery is
'One SMS delivery as a gateway sent it, before any check: the SMS text, the sender (msisdn), '
'receivedAt as sent (ISO-8601 text), the ingest source, its metadata, the phone that received it, '
'the gateway route and the gateway''s own message id. momo_sms_ingest_batch() takes an array of them.';
