create or replace function _momo_allocator_set_active(p_active boolean, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_verb text := case when p_active then 'resume' else 'pause' end;
    v_job record;
    v_before jsonb;
    v_after jsonb;
    v_paused boolean;
begin
    if not public._has_visible_character(p_reason) then
        raise exception 'a reason is required to % the allocator', v_verb
            using errcode = 'MM400', column = 'p_reason',
            hint = 'Say why, e.g. ''incident 42: wrong allocations, investigating''.';
    end if;
    if to_regclass('cron.job') is null then
        raise exception 'pg_cron is not installed in database %: there is no allocator job to %',
            current_database(), v_verb
            using errcode = 'MM404';
    end if;
    select j.jobid, j.jobname, j.schedule, j.command, j.active into v_job
    from cron.job as j
    where j.jobname = 'momo-allocator' and j.database = current_database()
    order by j.jobid
    limit 1
    for update;
    if not found then
        raise exception 'the pg_cron job momo-allocator does not exist'
            using errcode = 'MM404',
            hint = 'The allocator migration creates it; see select jobid, jobname, active from cron.job.';
    end if;
    -- Already there only when both switches agree: a job switched off by hand
    -- (cron.alter_job) still lets running drains and the HTTP trigger allocate.
    v_paused := coalesce((select c.paused from public.momo_allocator_control as c), false);
    if v_job.active = p_active and v_paused = not p_active then
        raise exception 'the allocator is already %', case when p_active then 'running' else 'paused' end
            using errcode = 'MM409', hint = 'See select * from monitoring.allocator_status.';
    end if;

    v_before := jsonb_build_object(
        'jobid', v_job.jobid, 'jobname', v_job.jobname, 'schedule', v_job.schedule,
        'command', v_job.command, 'active', v_job.active
    );
    perform cron.alter_job(v_job.jobid, active := p_active);
    -- What every allocation reads before its next batch (the job switch only stops new runs).
    insert into public.momo_allocator_control as c (paused, reason)
    values (not p_active, p_reason)
    on conflict (singleton) do update
    set paused = excluded.paused, changed_at = now(), changed_by = session_user, reason = excluded.reason;
    v_after := v_before || jsonb_build_object('active', p_active);
    perform public._audit(
        'momo_allocator_' || v_verb, 'cron.job', v_job.jobname, p_reason, v_before, v_after
    );
    return v_after;
end;
$$;

comment on function _momo_allocator_set_active(boolean, text) is
'Switches the pg_cron job momo-allocator on or off (cron.alter_job) and records the pause in '
'momo_allocator_control (read by momo_allocate before every batch), with a reason; audited. '
'Called by momo_allocator_pause() and momo_allocator_resume().';
