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
