create or replace function momo_allocate(p_limit integer default null)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
-- A batch is a few short statements over a small temp table the planner has no
-- statistics for: its cost estimates cross jit_above_cost, and compiling them
-- (up to 0.4 s a statement) costs more than it saves. Every step runs without JIT.
set jit = off
as $$
declare
    v_limit integer := coalesce(p_limit, _setting('MOMO_ALLOCATOR_BATCH_SIZE')::integer);
    v_ids bigint [];
    v_pause public.momo_allocator_control;
    v_summary momo_allocation_summary;
    v_message text;
    v_sqlstate text;
begin
    if v_limit < 1 or v_limit > 100000 then
        raise exception 'limit must be between 1 and 100000, got %', v_limit
            using errcode = 'MM400', column = 'limit';
    end if;
    -- Pause means stop: every caller (drain, assist, HTTP trigger, psql) is refused
    -- from the first batch after momo_allocator_pause() committed.
    v_pause := public._momo_allocator_paused();
    if v_pause.paused then
        raise exception 'the allocator is paused (since % by %: %)',
            v_pause.changed_at, v_pause.changed_by, v_pause.reason
            using errcode = 'MM409',
            hint = 'SMS wait in the inbox. When the incident is over: select momo_allocator_resume(reason).';
    end if;

    -- Claim: oldest first, skipping rows another allocator holds or that wait for a retry.
    select array_agg(q.id order by q.id) into v_ids
    from (
        select i.id
        from momo_sms_inbox as i
        where i.processed_at is null and (i.next_attempt_at is null or i.next_attempt_at <= now())
        order by i.id
        limit v_limit
        for update skip locked
    ) as q;

    if v_ids is null then
        v_summary := _momo_summary();
    else
        v_summary := _momo_allocate_isolating(v_ids);
        -- A fault of the whole system left every claimed row as it was: record it for the
        -- alert; a batch without one ends an open fault.
        perform _momo_allocator_record_fault(v_summary.fault);
    end if;
    -- Credits held for their balance chain: post those that link now, open cases
    -- for those that waited too long. Its failure is the allocator's, not a row's.
    begin
        perform _momo_balance_release();
    exception when others then
        get stacked diagnostics v_message = message_text, v_sqlstate = returned_sqlstate;
        -- A deadlock or lock timeout with another allocator session only means the
        -- holds wait for the next run (they are re-examined every run): not a fault.
        if v_sqlstate in ('40P01', '55P03') then
            return _momo_summary_jsonb(v_summary);
        end if;
        perform _momo_allocator_record_fault(jsonb_build_object(
            'sqlstate', v_sqlstate, 'message', left('releasing balance holds: ' || v_message, 400)
        ));
    end;
    return _momo_summary_jsonb(v_summary);
end;
$$;

comment on function momo_allocate(integer) is
'Allocates up to p_limit unprocessed SMS (default MOMO_ALLOCATOR_BATCH_SIZE), oldest first, in '
'the caller''s transaction: each is allocated, duplicate, skipped or an unmatched case exactly '
'once, or held until its balance links; then re-examines the held credits. Returns '
'{"processed","allocated","unmatched","duplicates","skipped","held","errors"}, and '
'"fault" {"sqlstate","message"} when the whole batch failed for a reason that is not one SMS '
'(then nothing was processed and no row was charged an attempt). Refused (MM409) while paused.';
