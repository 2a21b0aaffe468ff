create or replace function _momo_alloc_release_linked(p_linked bigint[])
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
-- The open holds drive every join, and the parses and the verified history are
-- always probed by index (see _momo_alloc_balance_check).
set enable_seqscan = off
as $$
begin
    -- Credits held by earlier runs that this batch's SMS link: posted with it (_momo_alloc_post_ledger).
    insert into momo_alloc_work (
        inbox_id, account, format, amount, currency, txn_id, txn_ts, parsed_id, member_id,
        ikimina_id, matched_by, balance_verified, released_hold
    )
    select
        h.inbox_id, h.account, p.format, p.amount, p.currency, p.txn_id, p.txn_ts, h.parsed_id,
        h.member_id, h.ikimina_id, h.matched_by, true, true
    from (
        select x.inbox_id, x.parsed_id, x.account, x.member_id, x.ikimina_id, x.matched_by
        from momo_balance_holds as x
        inner join unnest(p_linked) as l (parsed_id) on x.parsed_id = l.parsed_id
        where x.released_at is null
        order by x.inbox_id
        for update of x skip locked
    ) as h
    inner join momo_parsed_txns as p on h.parsed_id = p.id;
end;
$$;

comment on function _momo_alloc_release_linked(bigint[]) is
'Allocation stage, part of the balance check: the credits held by earlier runs whose parses are in '
'p_linked (their balance links now) join momo_alloc_work as released holds, to be posted with '
'this batch; holds another session has locked are left to it.';
