create or replace procedure momo_allocator_assist()
language plpgsql
-- No SET clause: a procedure with one cannot commit. Names are qualified instead.
as $$
declare
    -- pg_cron starts both jobs in the same second, in either order.
    v_wait_until timestamptz := pg_catalog.clock_timestamp() + interval '5 seconds';
begin
    -- Only alongside a running drain: pausing momo-allocator stops this one too.
    while not public._momo_drain_running() loop
        if pg_catalog.clock_timestamp() >= v_wait_until then
            return;
        end if;
        perform pg_catalog.pg_sleep(0.1);
    end loop;
    call public._momo_allocator_batches(true);
end;
$$;

comment on procedure momo_allocator_assist () is
'What the momo-allocator-assist pg_cron job calls every minute: a second allocator session, '
'so that a backlog is drained on two cores. It works like momo_allocator_drain(), but only '
'while a drain is running (waiting up to 5 s for one to start), so pausing the momo-allocator '
'job pauses it too. Parallel allocators are safe: claims skip locked rows.';
