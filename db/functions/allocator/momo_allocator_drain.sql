create or replace procedure momo_allocator_drain()
language plpgsql
-- No SET clause: a procedure with one cannot commit. Names are qualified instead.
as $$
declare
    -- Held (shared, for the session) while draining: momo_allocator_assist() works
    -- only while a drain runs. Released at the end, or when the session ends.
    v_lock constant bigint := pg_catalog.hashtextextended('momo_allocator_drain', 0);
begin
    perform pg_catalog.pg_advisory_lock_shared(v_lock);
    call public._momo_allocator_batches(false);
    perform pg_catalog.pg_advisory_unlock_shared(v_lock);
end;
$$;

comment on procedure momo_allocator_drain () is
'What the momo-allocator pg_cron job calls every minute: momo_allocate() batch after batch '
'(MOMO_ALLOCATOR_DRAIN_BATCH_SIZE rows), each committed, until the queue is empty or '
'MOMO_ALLOCATOR_TIME_BUDGET is spent.';
