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
'oldest first. inbox_id, account: the SMS and the collection phone. held_at, waiting: since when. '
'amount, balance: what it credits and the balance it states. txn_id, txn_ts: its transaction id and '
'time. member_id, ikimina_id: who it will be credited to once it links. After '
'MOMO_BALANCE_CHECK_WAIT it becomes a balance_unverified case instead.';
