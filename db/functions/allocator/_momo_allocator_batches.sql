create or replace procedure _momo_allocator_batches(p_only_while_draining boolean)
language plpgsql
-- No SET clause: a procedure with one cannot commit. Names are qualified instead.
as $$
declare
    v_deadline timestamptz := pg_catalog.clock_timestamp()
        + public._setting('MOMO_ALLOCATOR_TIME_BUDGET')::interval;
    v_batch_size integer := public._setting('MOMO_ALLOCATOR_DRAIN_BATCH_SIZE')::integer;
    v_summary jsonb;
begin
    loop
        -- Pause means stop: momo_allocate() refuses (MM409) once momo_allocator_pause()
        -- has committed, so at most the batch in flight at that moment commits.
        exit when coalesce((public._momo_allocator_paused()).paused, false);
        begin
            v_summary := public.momo_allocate(v_batch_size);
        exception when sqlstate 'MM409' then
            exit;  -- paused between the check above and the claim
        end;
        commit;
        exit when (v_summary ->> 'processed')::integer < v_batch_size
            -- the whole system failed: the next run (a minute later) tries again
            or v_summary ? 'fault'
            or pg_catalog.clock_timestamp() >= v_deadline
            or (p_only_while_draining and not public._momo_drain_running());
    end loop;
end;
$$;

comment on procedure _momo_allocator_batches (boolean) is
'The loop behind momo_allocator_drain() and momo_allocator_assist(): momo_allocate() batch after '
'batch (MOMO_ALLOCATOR_DRAIN_BATCH_SIZE rows), each committed, until the queue is empty, '
'MOMO_ALLOCATOR_TIME_BUDGET is spent, the allocator is paused (checked before every batch), a '
'fault of the whole system stops a batch, or (p_only_while_draining) no drain runs any more.';
