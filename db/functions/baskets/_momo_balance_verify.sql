create or replace function _momo_balance_verify(p_accounts text[], p_from timestamptz[])
returns integer
language plpgsql
set search_path = pg_catalog, public, pg_temp
-- Every read is an index probe (the history by parse id, in scalar subqueries a
-- planner cannot turn into joins): plans are cached for the session while the
-- statistics lag behind tables that grow by thousands of rows a minute, and a plan
-- made while they were small would read all of them, at every step of the walk.
set enable_seqscan = off
as $$
declare
    v_count integer;
begin
    -- One walk at a time per account, to the end of the transaction: a walk waits for
    -- one in another session to commit, and then sees the SMS that walk stored and
    -- verified. Without it, two allocator sessions with SMS of one account would
    -- each walk without the other's, and hold credits that only wait for them.
    perform _momo_balance_walk_lock(p_accounts, true);

    -- Per account of p_accounts, its genuine SMS by the time written in them, from
    -- the latest verified SMS before the account's p_from to the newest. The
    -- verified balance so far starts at that SMS's balance (none: only a verified
    -- SMS, an anchor, sets one). An SMS verifies when the verified balance so far
    -- plus its movement (with or without the movements that state no balance since:
    -- an attacker can add such SMS) is the balance it states. An SMS that does not
    -- link (junk, a forgery, one outside the time window) is stepped over and leaves
    -- the verified balance as it was; a verified SMS (an anchor, or one an earlier
    -- walk verified) sets it. A link to an unverified SMS verifies nothing, so
    -- forgeries that only link to each other stay unverified.
    --
    -- Set-based: as long as every balance-stating SMS links to the one before it (as
    -- genuine SMS do), window functions verify them all at once. From an account's
    -- first SMS that does not (junk, a forgery, a dropped SMS, a movement stated
    -- without a balance, a verified SMS further on), a recursive query walks on SMS
    -- by SMS, for that account only: it steps over what does not link and counts
    -- the movements that state no balance.
    with recursive accounts as (
        select a.account, min(a.from_ts) as from_ts
        from unnest(p_accounts, p_from) as a (account, from_ts)
        where a.account is not null and a.from_ts is not null
        group by a.account
    ),

    -- Each account's start: its latest verified SMS written before p_from.
    starts as (
        select
            a.account,
            coalesce(s.txn_ts, a.from_ts) as txn_ts,
            coalesce(s.id, 0) as id,
            s.balance
        from accounts as a
        left join lateral (
            select p.txn_ts, p.id, p.balance
            from momo_parsed_txns as p
            where
                p.account = a.account and p.movement is not null and p.txn_ts < a.from_ts
                and (select true from momo_balance_history as h where h.parsed_id = p.id)
            order by p.txn_ts desc, p.id desc
            limit 1
        ) as s on true
    ),

    -- The SMS after it that state a balance and may link (within the time window), or
    -- are verified already (the first way through needs no other); last_verified_ts:
    -- when the account's newest verified SMS was written.
    stretch as (
        select
            g.*,
            max(g.txn_ts) filter (where g.verified_how is not null) over (partition by g.account)
                as last_verified_ts
        from (
            select
                p.id, p.account, p.txn_ts, p.movement, p.balance, p.sms_time_ok,
                s.txn_ts as start_txn_ts, s.id as start_id, s.balance as start_balance,
                (select h.verified_how from momo_balance_history as h where h.parsed_id = p.id)
                    as verified_how
            from starts as s
            inner join momo_parsed_txns as p
                on
                    s.account = p.account and p.movement is not null
                    and (p.txn_ts, p.id) > (s.txn_ts, s.id)
            where p.balance is not null
            -- (each probe once, not once per use of verified_how)
            offset 0
        ) as g
        where g.verified_how is not null or g.sms_time_ok is not false
    ),

    -- Each one's neighbours among them: the one before it (for the first, the start)
    -- and the one after it; newest: written after every verified SMS (one written in
    -- the same second as the last verified SMS is not taken as newest: the walk below
    -- decides it).
    neighbours as (
        select
            t.id, t.account, t.txn_ts, t.movement, t.balance, t.verified_how,
            coalesce(lag(t.txn_ts) over w, t.start_txn_ts) as before_txn_ts,
            coalesce(lag(t.id) over w, t.start_id) as before_id,
            case when lag(t.id) over w is null then t.start_balance else lag(t.balance) over w end
                as before_balance,
            lead(t.verified_how) over w as next_how,
            lead(t.balance) over w as next_balance,
            lead(t.movement) over w as next_movement,
            t.last_verified_ts,
            t.last_verified_ts is null or t.txn_ts > t.last_verified_ts as newest
        from stretch as t
        window w as (partition by t.account order by t.txn_ts, t.id)
    ),

    -- linked: a new SMS whose balance is the one before it plus its movement, and
    -- which the next verified SMS (if any) links to in turn: an SMS cannot slip in
    -- before a verified SMS that linked without it (of the two, one is forged),
    -- unless that one is an anchor a person confirmed. Up to an account's first new
    -- SMS that is not linked (breaks = 0), every one is verified: each links to the
    -- one before it, verified in turn, as the walk below would find.
    ordered as (
        select
            n.*,
            count(*) filter (where n.verified_how is null and not n.linked)
                over (partition by n.account order by n.txn_ts, n.id) as breaks
        from (
            select
                b.*,
                b.verified_how is null and (b.before_balance + b.movement = b.balance) is true
                and (
                    b.newest or b.next_how = 'anchor'
                    or (b.next_how is not null and b.balance + b.next_movement = b.next_balance)
                ) as linked
            from neighbours as b
        ) as n
    ),

    -- From there, SMS by SMS: the walk starts at the SMS before the first break, with
    -- its balance as the verified balance.
    walk as (
        (
            select distinct on (o.account)
                o.account,
                o.before_txn_ts as txn_ts,
                o.before_id as id,
                o.before_balance as verified_balance,
                0::numeric as loose,
                0::numeric as loose_other,
                false as verifies,
                o.last_verified_ts
            from ordered as o
            where o.breaks = 1
            order by o.account, o.txn_ts, o.id
        )

        union all

        select
            w.account,
            n.txn_ts,
            n.id,
            case when n.verified_how is not null or n.verifies then n.balance else w.verified_balance end,
            case
                when n.verified_how is not null or n.verifies then 0
                when n.adds_loose then w.loose + n.movement
                else w.loose
            end,
            case
                when n.verified_how is not null or n.verifies then 0
                when n.adds_loose and n.kind is distinct from 'bundle_purchase' then w.loose_other + n.movement
                else w.loose_other
            end,
            n.verifies,
            w.last_verified_ts
        from walk as w
        cross join lateral (
            select
                x.*,
                x.verified_how is null and x.sms_time_ok is not false and x.balance is null as adds_loose,
                case
                    when
                        x.verified_how is null and x.sms_time_ok is not false
                        and (
                            w.verified_balance + x.movement = x.balance
                            or w.verified_balance + w.loose + x.movement = x.balance
                            or w.verified_balance + w.loose_other + x.movement = x.balance
                        )
                        -- (the verified SMS after it, looked for only where one can be)
                        then w.last_verified_ts is null or x.txn_ts > w.last_verified_ts or coalesce((
                            select a.verified_how = 'anchor' or x.balance + a.movement = a.balance
                            from (
                                select
                                    ahead.movement, ahead.balance,
                                    (
                                        select h.verified_how from momo_balance_history as h
                                        where h.parsed_id = ahead.id
                                    ) as verified_how
                                from momo_parsed_txns as ahead
                                where
                                    ahead.account = w.account and ahead.movement is not null
                                    and (ahead.txn_ts, ahead.id) > (x.txn_ts, x.id)
                                order by ahead.txn_ts, ahead.id
                            ) as a
                            where a.verified_how is not null
                            limit 1
                        ), true)
                    else false
                end as verifies
            from (
                select
                    p.id, p.txn_ts, p.movement, p.balance, p.kind, p.sms_time_ok,
                    (select h.verified_how from momo_balance_history as h where h.parsed_id = p.id)
                        as verified_how
                from momo_parsed_txns as p
                where
                    p.account = w.account and p.movement is not null
                    and (p.txn_ts, p.id) > (w.txn_ts, w.id)
                order by p.txn_ts, p.id
                limit 1
            ) as x
            -- computed once a step (not copied into each use of n.verifies)
            offset 0
        ) as n
    ),

    verified as (
        select o.id
        from ordered as o
        where o.verified_how is null and o.breaks = 0
        union all
        select w.id
        from walk as w
        where w.verifies
    ),

    -- No other walk of these accounts runs until this transaction ends (the lock
    -- above), and one walk verifies an SMS once: a plain insert.
    marked as (
        insert into momo_balance_history (parsed_id, verified_how)
        select v.id, 'chain'
        from verified as v
        returning 1
    )

    select count(*)::integer into v_count from marked;
    return v_count;
end;
$$;

comment on function _momo_balance_verify(text[], timestamptz[]) is
'The verified balance chain, set-based over all accounts of p_accounts: walks each one''s genuine '
'SMS by the time written in them from the latest verified SMS before the matching p_from, and adds '
'to momo_balance_history (chain) each SMS whose balance is the verified balance so far plus its '
'movement (with or without the movements that state no balance since), within the time window '
'(sms_time_ok). SMS that do not link are stepped over; a link to an unverified SMS verifies '
'nothing. One walk per account at a time (_momo_balance_walk_lock). Returns how many it verified.';
