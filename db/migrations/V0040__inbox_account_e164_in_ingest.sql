-- The receiving account is written in E.164 where the ingest turns deliveries into
-- inbox rows (_momo_sms_ingest_rows, set-based), not by a trigger run once per row
-- on the ingest hot path. The trigger came from a function file (re-applied after
-- the migrations), so a fresh database has none yet: if exists.
drop trigger if exists momo_sms_inbox_account_e164 on momo_sms_inbox;
drop function if exists _momo_sms_inbox_account();
