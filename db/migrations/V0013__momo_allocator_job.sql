-- The allocator runs every minute (pg_cron 1.4: minute schedules, GMT). Only
-- where pg_cron is installed: a scratch copy of the schema has no scheduler.
do $$
begin
    if to_regnamespace('cron') is not null then
        perform cron.schedule('momo-allocator', '* * * * *', 'call momo_allocator_drain()');
    end if;
end
$$;
