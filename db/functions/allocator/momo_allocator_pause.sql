-- The pause pair: DBAs stop and restart the allocator job (both through
-- _momo_allocator_set_active, which refuses a no-op and audits the change).

create or replace function momo_allocator_pause(p_reason text)
returns jsonb
language sql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
    select public._momo_allocator_set_active(false, p_reason);
$$;

comment on function momo_allocator_pause(text) is
'DBA: stop the pg_cron job momo-allocator from starting new runs (ingest keeps queueing SMS). '
'A run already in progress finishes its batch. Refused when already paused; audited. '
'Returns the job (jobid, jobname, schedule, command, active).';

create or replace function momo_allocator_resume(p_reason text)
returns jsonb
language sql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
    select public._momo_allocator_set_active(true, p_reason);
$$;

comment on function momo_allocator_resume(text) is
'DBA: let the pg_cron job momo-allocator run again (next minute); it drains the queued SMS. '
'Refused when not paused; audited. Returns the job (jobid, jobname, schedule, command, active).';
