-- Which phone received each SMS, and the gateway's own id for it.
--
-- receiving_account: the collection phone (one balance history per account);
-- the allocator reads coalesce(receiving_account, ingest_source).
-- gateway / gateway_message_id: the route that delivered the SMS and the id the
-- gateway gave the message; a redelivery with the same id is a duplicate even
-- when its envelope (event id, time) differs, so the pair is unique.
alter table momo_sms_inbox
add column receiving_account text
check (receiving_account <> '' and length(receiving_account) <= 128),
add column gateway text
check (gateway ~ '^[a-z][a-z0-9-]{0,31}$'),
add column gateway_message_id text
check (gateway_message_id <> '' and length(gateway_message_id) <= 200),
add constraint momo_sms_inbox_gateway_message_id_needs_gateway
check (gateway_message_id is null or gateway is not null);

comment on column momo_sms_inbox.receiving_account is
'The collection phone that received the SMS, as its gateway identifies it: the receiving number '
'in E.164 when the gateway posts one (httpsms owner, SMSSync sent_to, android-income "to"), '
'else <gateway>:<device id>[/sim<N>] (sms-gate: sms-gate:<deviceId>/sim<simNumber>). '
'Null when the gateway says nothing (the spec route); the allocator then uses ingest_source.';

comment on column momo_sms_inbox.gateway is
'The gateway route that delivered the SMS (sms-gate, httpsms, smssync, android-income, or '
'webhook for Standard Webhooks on the spec route); null for the spec route''s own format.';

comment on column momo_sms_inbox.gateway_message_id is
'The gateway''s own id for the message (sms-gate payload.messageId, httpsms data.message_id, '
'SMSSync message_id, Standard Webhooks webhook-id); unique per gateway, so a redelivery with '
'a new envelope is a duplicate of the first row.';

create unique index momo_sms_inbox_gateway_message_id_key
on momo_sms_inbox (gateway, gateway_message_id)
where gateway_message_id is not null;

-- The ingest functions take the three new fields: the old signatures go, the
-- function files (re-applied after this migration) create the new ones. On a
-- fresh database the old ones do not exist yet (functions come after all migrations).
drop function if exists momo_sms_ingest(text, text, text, text, jsonb);
drop function if exists momo_sms_ingest_batch(text[], text[], text[], text[], jsonb[]);
