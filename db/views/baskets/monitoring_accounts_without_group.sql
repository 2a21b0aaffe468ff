create or replace view monitoring.accounts_without_group as
select
    p.account,
    count(*) as credits,
    sum(l.amount) as amount,
    min(l.allocated_at) as first_credit_at,
    max(l.allocated_at) as last_credit_at
from public.contributions_ledger as l
inner join public.momo_parsed_txns as p on l.parsed_id = p.id
where
    l.source = 'sms'
    and not exists (select from public.collection_accounts as a where a.account = p.account)
group by p.account
order by max(l.allocated_at) desc;

comment on view monitoring.accounts_without_group is
'Receiving accounts whose SMS were credited by the allocator although the account collects for '
'no group (collection_accounts): their payers were resolved by full number or member code across '
'all groups. account: as stored on the parse (null: none). credits, amount: how many and their '
'sum; first_credit_at, last_credit_at. Fix with collection_account_add().';
