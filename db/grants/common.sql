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

-- No role executes an audit function: the audit triggers of the audited tables run
-- them (a trigger fires without the execute privilege; creating one needs it).

-- Monitoring is read-only for analysts and DBAs: select on every view of every
-- module and on the queue sample history, nothing else.
grant select on all tables in schema monitoring to app_analyst, app_dba;
