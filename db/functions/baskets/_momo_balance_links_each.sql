create or replace function _momo_balance_links_each(p_parsed_ids bigint[])
returns table (parsed_id bigint, linked boolean)
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    -- The same test as _momo_balance_links, one parse at a time: a few index
    -- probes each, for scattered parses (held credits) whose accounts' stretches
    -- would be long. The plain txn_ts bounds are what the index can seek on.
    select
        t.id as parsed_id,
        coalesce(p.balance + coalesce(lp.total, 0) + t.movement = t.balance, false)
        or coalesce(t.balance + coalesce(ln.total, 0) + n.movement = n.balance, false) as linked
    from momo_parsed_txns as t
    left join lateral (
        select b.id, b.txn_ts, b.balance
        from momo_parsed_txns as b
        where
            b.account = t.account and b.movement is not null and b.balance is not null
            and b.txn_ts <= t.txn_ts and (b.txn_ts, b.id) < (t.txn_ts, t.id)
        order by b.txn_ts desc, b.id desc
        limit 1
    ) as p on true
    left join lateral (
        select sum(m.movement) as total
        from momo_parsed_txns as m
        where
            m.account = t.account and m.movement is not null and m.balance is null
            and m.txn_ts between p.txn_ts and t.txn_ts
            and (m.txn_ts, m.id) > (p.txn_ts, p.id) and (m.txn_ts, m.id) < (t.txn_ts, t.id)
    ) as lp on true
    left join lateral (
        select b.id, b.txn_ts, b.balance, b.movement
        from momo_parsed_txns as b
        where
            b.account = t.account and b.movement is not null and b.balance is not null
            and b.txn_ts >= t.txn_ts and (b.txn_ts, b.id) > (t.txn_ts, t.id)
        order by b.txn_ts, b.id
        limit 1
    ) as n on true
    left join lateral (
        select sum(m.movement) as total
        from momo_parsed_txns as m
        where
            m.account = t.account and m.movement is not null and m.balance is null
            and m.txn_ts between t.txn_ts and n.txn_ts
            and (m.txn_ts, m.id) > (t.txn_ts, t.id) and (m.txn_ts, m.id) < (n.txn_ts, n.id)
    ) as ln on true
    where t.id = any(p_parsed_ids) and t.movement is not null and t.balance is not null;
$$;

comment on function _momo_balance_links_each(bigint[]) is
'For each given parse: whether its stated balance links to the balance-stating SMS before or after '
'it on the same account, one parse at a time (index probes). Parses that are not chain nodes are '
'left out. Used for held credits; batches use _momo_balance_links.';
