-- Privileges on the shared pieces (db/functions/common): schemas, settings,
-- the audit trail, readiness, and the monitoring schema as a whole. Applied
-- after reset.sql; the module files follow.

grant usage on schema public to app_ingest, app_allocator, app_analyst, app_dba, app_credits;
grant usage on schema monitoring to app_analyst, app_dba;

grant execute on function app_readiness() to
app_ingest, app_allocator, app_analyst, app_dba, app_credits;

-- DBAs read the settings and the audit trail, and change settings only through
-- setting_set() (audited).
grant select on audit_log, app_settings to app_dba;
grant execute on function setting_set(text, text, text) to app_dba;

-- The audit trigger on configuration tables runs as the role that changes a row and
-- writes through this function (refused outside a trigger).
grant execute on function _audit_change(text, text, text, text, jsonb, jsonb) to app_dba;

-- Monitoring is read-only for analysts and DBAs: select on every view of every
-- module and on the queue sample history, nothing else.
grant select on all tables in schema monitoring to app_analyst, app_dba;
