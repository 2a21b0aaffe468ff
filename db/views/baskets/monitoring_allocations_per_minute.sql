create or replace view monitoring.allocations_per_minute as
select
    m.minute,
    count(l.id) as allocations,
    count(distinct l.ikimina_id) as groups
from
    generate_series(
        date_trunc('minute', now()) - interval '59 minutes',
        date_trunc('minute', now()),
        interval '1 minute'
    ) as m (minute)
left join public.contributions_ledger as l
    on
        l.source = 'sms'
        and m.minute <= l.allocated_at
        and l.allocated_at < m.minute + interval '1 minute'
group by m.minute
order by m.minute desc;

comment on view monitoring.allocations_per_minute is
'SMS allocations per minute over the last hour, newest first, one row per minute (0 when none). '
'minute: start of the minute. allocations: ledger entries the allocator wrote (source sms) in '
'that minute. groups: how many different groups they went to.';
