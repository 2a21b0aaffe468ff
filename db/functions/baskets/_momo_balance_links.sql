create or replace function _momo_balance_links(p_parsed_ids bigint[])
returns table (parsed_id bigint, linked boolean)
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    -- The parses to check, and per account the stretch of its history around them:
    -- from the balance-stating SMS just before the earliest to the one just after
    -- the latest, by the time written in the SMS.
    with targets as materialized (
        select p.id, p.account, p.txn_ts
        from momo_parsed_txns as p
        where p.id = any(p_parsed_ids)
    ),

    stretches as materialized (
        select
            r.account,
            coalesce((
                select b.txn_ts
                from momo_parsed_txns as b
                where
                    b.account = r.account and b.movement is not null
                    and b.balance is not null and b.txn_ts < r.lo
                order by b.txn_ts desc
                limit 1
            ), r.lo) as lo,
            coalesce((
                select b.txn_ts
                from momo_parsed_txns as b
                where
                    b.account = r.account and b.movement is not null
                    and b.balance is not null and b.txn_ts > r.hi
                order by b.txn_ts
                limit 1
            ), r.hi) as hi
        from (
            select t.account, min(t.txn_ts) as lo, max(t.txn_ts) as hi
            from targets as t
            group by t.account
        ) as r
    ),

    -- Every genuine movement in those stretches; loose = running total of the
    -- movements that state no balance (a bundle purchase, say), which sit
    -- between two balances and explain part of their difference.
    movements as (
        select
            m.account,
            m.id,
            m.txn_ts,
            m.balance,
            m.movement,
            sum(case when m.balance is null then m.movement else 0 end)
                over (partition by m.account order by m.txn_ts, m.id) as loose
        from stretches as s
        -- lateral: one index range scan per account, whatever the planner guesses
        cross join lateral (
            select x.account, x.id, x.txn_ts, x.balance, x.movement
            from momo_parsed_txns as x
            where x.account = s.account and x.movement is not null and x.txn_ts between s.lo and s.hi
            offset 0  -- keeps the planner from flattening it into a join over the whole table
        ) as m
    ),

    links as (
        select
            n.id,
            n.balance,
            n.movement,
            n.loose,
            lag(n.balance) over w as prev_balance,
            lag(n.loose) over w as prev_loose,
            lead(n.balance) over w as next_balance,
            lead(n.movement) over w as next_movement,
            lead(n.loose) over w as next_loose
        from movements as n
        where n.balance is not null
        window w as (partition by n.account order by n.txn_ts, n.id)
    )

    -- Linked: the balance before plus what moved since equals this balance, or
    -- this balance plus what moved up to the next SMS equals the next balance.
    -- Every balance-stating SMS of the stretches is answered, not only the ones
    -- asked about: a held credit next to them may link now.
    select
        l.id as parsed_id,
        coalesce(
            l.prev_balance + (l.loose - l.prev_loose) + l.movement = l.balance
            or l.balance + (l.next_loose - l.loose) + l.next_movement = l.next_balance,
            false
        ) as linked
    from links as l;
$$;

comment on function _momo_balance_links(bigint[]) is
'For the given parses and every balance-stating SMS of their accounts between their neighbours: '
'whether its stated balance links to the neighbouring balance-stating SMS of the same account '
'(ordered by SMS time), before or after, counting the movements without a balance in between. '
'A parse without a balance, or not genuine, is not in the result (it never links).';
