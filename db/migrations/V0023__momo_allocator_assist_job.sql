-- A second allocator session every minute, next to momo-allocator: one
-- session allocates about 7,000 SMS/s, two about 13,000 on two cores. It runs
-- only while momo-allocator's drain runs, so pausing that job is enough.
do $$
begin
    if to_regnamespace('cron') is not null then
        perform cron.schedule(
            'momo-allocator-assist', '* * * * *', 'call momo_allocator_assist()'
        );
    end if;
end
$$;
