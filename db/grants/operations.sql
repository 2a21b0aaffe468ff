-- Privileges for operations: the DBA correction functions and the monitoring
-- views. Re-applied after every migration (after baskets.sql, which revokes
-- everything from public first), so they never drift.

-- Routines are executable by public by default. baskets.sql revokes those in
-- public; the monitoring schema's are covered here. pg_cron runs the drain as
-- the job owner, a superuser.
revoke execute on all routines in schema monitoring from public;

-- DBAs correct data only through these audited functions.
grant execute on function ledger_reverse(bigint, text) to app_dba;
grant execute on function ledger_recredit(bigint, uuid, text) to app_dba;
grant execute on function ledger_reallocate(bigint, uuid, text) to app_dba;
grant execute on function unmatched_resolve(bigint, text, uuid, numeric) to app_dba;
grant execute on function momo_sms_requeue(bigint, text) to app_dba;
grant execute on function cycle_adjust(uuid, integer, numeric, text, text) to app_dba;
grant execute on function momo_allocator_pause(text) to app_dba;
grant execute on function momo_allocator_resume(text) to app_dba;

-- The cron views call this security definer function as the reader (pg_cron's
-- tables are visible to their owner only).
grant execute on function _monitoring_cron_jobs() to app_analyst, app_dba;

-- Monitoring is read-only for analysts and DBAs: select only, on every view and
-- on the queue sample history (baskets.sql grants select on all of them).
revoke insert, update, delete, truncate, references, trigger
on all tables in schema monitoring from app_analyst, app_dba;

-- DBAs read the allocator's pause switch and fault history (written only by the functions).
grant select on momo_allocator_control, momo_allocator_faults to app_dba;

-- The audit trigger on configuration tables runs as the role that changes a row and
-- writes through this function (refused outside a trigger).
grant execute on function _audit_change(text, text, text, text, jsonb, jsonb) to app_dba;
