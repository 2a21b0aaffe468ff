create or replace view monitoring.balance_holds as
select
    h.inbox_id,
    h.account,
    h.held_at,
    now() - h.held_at as waiting,
    p.amount,
    p.balance,
    p.txn_id,
    p.txn_ts,
    h.member_id,
    h.ikimina_id
from public.momo_balance_holds as h
inner join public.momo_parsed_txns as p on h.parsed_id = p.id
where h.released_at is null
order by h.held_at;

comment on view monitoring.balance_holds is
'Credits waiting for their balance to link to the account''s history (MOMO_BALANCE_CHECK = hold), '
'oldest first: inbox_id, account, held_at and waiting time, the amount, the balance it states, '
'txn id and time, and the member it will be credited to once it links. After '
'MOMO_BALANCE_CHECK_WAIT it becomes a balance_unverified case instead.';
