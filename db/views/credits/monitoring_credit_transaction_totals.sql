create or replace view monitoring.credit_transaction_totals as
select
    k.type,
    count(t.id) as transactions,
    coalesce(sum(t.amount), 0)::numeric as amount
from (values ('credit'), ('debit')) as k (type)
left join public."CreditTransaction" as t on k.type = t.type
group by k.type;

comment on view monitoring.credit_transaction_totals is
'SMS credit ledger totals, one row per transaction type (credit = top-ups, debit = credits '
'campaigns used), also when there are none: type, transactions (bigint, metric '
'credit_transactions_total), amount (numeric, sum of credits).';
