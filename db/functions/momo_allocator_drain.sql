create or replace procedure momo_allocator_drain()
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
        v_summary := public.momo_allocate(v_batch_size);
        commit;
        exit when (v_summary ->> 'processed')::integer < v_batch_size
            or pg_catalog.clock_timestamp() >= v_deadline;
    end loop;
end;
$$;

comment on procedure momo_allocator_drain () is
'What the momo-allocator pg_cron job calls every minute: momo_allocate() batch after batch '
'(MOMO_ALLOCATOR_DRAIN_BATCH_SIZE rows), each committed, until the queue is empty or '
'MOMO_ALLOCATOR_TIME_BUDGET is spent.';
