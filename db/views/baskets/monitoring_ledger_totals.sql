create or replace view monitoring.ledger_totals as
select
    l.source,
    l.currency,
    count(*) as entries,
    sum(l.amount) as amount,
    max(l.allocated_at) as last_entry_at
from public.contributions_ledger as l
group by l.source, l.currency
order by l.source, l.currency;

comment on view monitoring.ledger_totals is
'Ledger totals since the start, per source and currency. source: sms (the allocator), manual '
'(unmatched_resolve) or correction (ledger_reverse, negative amounts). currency: ISO code. '
'entries: how many ledger rows. amount: their sum (a string in JSON). last_entry_at: the latest.';
