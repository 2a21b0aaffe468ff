-- Audit rows come only from the audit triggers. _audit_change() was a writer that
-- app_dba could execute; its guard (pg_trigger_depth() >= 1) was satisfied by a
-- trigger on a temporary table, so audit rows could be written for changes that
-- never happened. _audit_row_change() now writes the row itself (db/functions/common).
drop function if exists _audit_change(text, text, text, text, jsonb, jsonb);
