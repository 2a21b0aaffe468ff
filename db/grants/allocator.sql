-- Privileges for the allocator (db/functions/allocator): one batch through the
-- HTTP trigger, the pause switch for DBAs. Applied after reset.sql, common.sql
-- and baskets.sql. pg_cron's drain runs as the job's owner and needs no grant.

-- One batch through the HTTP trigger (POST /functions/v1/momo-allocator).
grant execute on function momo_allocate(integer) to app_allocator;

-- DBAs pause and resume the allocator (audited), and read its pause switch and
-- fault history (written only by the functions).
grant execute on function momo_allocator_pause(text) to app_dba;
grant execute on function momo_allocator_resume(text) to app_dba;
grant select on momo_allocator_control, momo_allocator_faults to app_dba;
