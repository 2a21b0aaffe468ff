create or replace function _momo_sms_hash(p_message text, p_msisdn text, p_received_at text)
returns text
language sql
immutable
parallel safe
-- No SET clause (only built-ins). convert_to is stable in the catalog (conversions
-- are looked up there), but to UTF8 it depends on nothing that changes.
return pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
    p_message || '|' || coalesce(p_msisdn, '') || '|' || coalesce(p_received_at, ''), 'UTF8'
)), 'hex');

comment on function _momo_sms_hash(text, text, text) is
'The dedupe key of an SMS delivery (momo_sms_inbox.hash), as the ingest spec defines it: the hex '
'sha256 of message|msisdn|receivedAt, the texts as sent, a missing msisdn or receivedAt empty.';
