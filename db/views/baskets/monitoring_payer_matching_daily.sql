create or replace view monitoring.payer_matching_daily as
with zone as (
    select s.value as tz from public.app_settings as s where s.key = 'MOMO_TIMEZONE'
),

-- Credits of payments (not corrections): by the allocator, how it matched the payer,
-- or by a person (unmatched_resolve).
credits as (
    select
        l.ikimina_id,
        (coalesce(p.txn_ts, l.allocated_at) at time zone z.tz)::date as day,
        'credit' as kind,
        case when l.source = 'sms' then coalesce(l.meta ->> 'matched_by', 'unknown') else 'by_person' end
            as how,
        l.amount
    from public.contributions_ledger as l
    cross join zone as z
    left join public.momo_parsed_txns as p on l.parsed_id = p.id
    where l.source in ('sms', 'manual')
),

-- Cases, by reason, in the group of the account that received the SMS (null: none).
cases as (
    select
        a.ikimina_id,
        (coalesce(p.txn_ts, u.created_at) at time zone z.tz)::date as day,
        'case' as kind,
        u.reason as how,
        p.amount
    from public.momo_unmatched as u
    cross join zone as z
    left join public.momo_parsed_txns as p on u.parsed_id = p.id
    left join public.collection_accounts as a on p.account = a.account
)

select
    x.ikimina_id,
    g.name as ikimina_name,
    x.day,
    x.kind,
    x.how,
    count(*) as payments,
    coalesce(sum(x.amount), 0) as amount
from (
    select * from credits
    union all
    select * from cases
) as x
left join public.ibimina as g on x.ikimina_id = g.id
group by x.ikimina_id, g.name, x.day, x.kind, x.how
order by x.day desc, g.name asc, x.kind desc, x.how asc;

comment on view monitoring.payer_matching_daily is
'How much of each group''s money needed a person, per Kigali day (of the SMS''s own time). '
'kind credit: ledger credits of payments, how = matched_by of the allocator (phone, member_code, '
'phone+member_code, remembered_payer, name_and_digits) or by_person (unmatched_resolve); kind case: '
'momo_unmatched cases opened (open or resolved since), how = their reason, in the group of the '
'collection account that received the SMS (ikimina_id, ikimina_name null: an account of no '
'group). payments, '
'amount: how many and their sum.';
