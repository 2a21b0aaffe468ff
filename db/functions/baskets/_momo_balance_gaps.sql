create or replace function _momo_balance_gaps(p_lookback interval)
returns table (
    account text,
    before_inbox_id bigint,
    after_inbox_id bigint,
    before_txn_ts timestamptz,
    after_txn_ts timestamptz,
    balance_after_before numeric,
    balance_before_after numeric,
    explained_between numeric,
    missing_amount numeric
)
language sql
stable
-- Analysts read monitoring.balance_gaps without reading momo_parsed_txns itself.
security definer
set search_path = pg_catalog, public, pg_temp
as $$
    -- Genuine money movements of the lookback window, by the time written in them;
    -- loose = running total of the movements that state no balance (they explain
    -- part of the next step); tail = how many verified SMS are at or after each one.
    with movements as (
        select
            p.account,
            p.id,
            p.inbox_id,
            p.txn_ts,
            p.balance,
            p.movement,
            h.verified_how,
            p.sms_time_ok,
            sum(case when p.balance is null then p.movement else 0 end)
                over (partition by p.account order by p.txn_ts, p.id) as loose,
            -- loose_other leaves out a bundle's Yello SMS, whose movement its *162*
            -- payment SMS states again with a balance
            sum(
                case
                    when p.balance is null and p.kind is distinct from 'bundle_purchase'
                        then p.movement
                    else 0
                end
            ) over (partition by p.account order by p.txn_ts, p.id) as loose_other,
            count(h.verified_how)
                over (partition by p.account order by p.txn_ts desc, p.id desc) as tail
        from public.momo_parsed_txns as p
        left join public.momo_balance_history as h on p.id = h.parsed_id
        where p.movement is not null and p.created_at > now() - p_lookback
    ),

    verified as (
        select
            m.*,
            lag(m.inbox_id) over w as before_inbox_id,
            lag(m.txn_ts) over w as before_txn_ts,
            lag(m.balance) over w as before_balance,
            lag(m.loose) over w as before_loose,
            lag(m.loose_other) over w as before_loose_other,
            row_number() over (partition by m.account order by m.txn_ts desc, m.id desc) as newest
        from movements as m
        where m.verified_how is not null
        window w as (partition by m.account order by m.txn_ts, m.id)
    ),

    -- 1. Where the verified history stops: the first balance-stating SMS after the
    -- newest verified one that does not link to it (nothing verified follows it,
    -- so no genuine SMS stepped over it: money is missing, or it is a forgery
    -- newer than every genuine SMS).
    frontier as (
        select distinct on (u.account)
            u.account,
            v.inbox_id as before_inbox_id,
            u.inbox_id as after_inbox_id,
            v.txn_ts as before_txn_ts,
            u.txn_ts as after_txn_ts,
            v.balance as balance_after_before,
            u.balance - u.movement as balance_before_after,
            u.loose - v.loose as explained_between,
            u.loose_other - v.loose_other as explained_other
        from movements as u
        inner join verified as v on u.account = v.account and v.newest = 1
        where
            u.tail = 0 and u.verified_how is null and u.balance is not null
            and u.sms_time_ok is not false
        order by u.account, u.txn_ts, u.id
    ),

    -- 2. Where a person's anchor restarted the history over money no SMS explains.
    anchored as (
        select
            a.account,
            a.before_inbox_id,
            a.inbox_id as after_inbox_id,
            a.before_txn_ts,
            a.txn_ts as after_txn_ts,
            a.before_balance as balance_after_before,
            a.balance - a.movement as balance_before_after,
            a.loose - a.before_loose as explained_between,
            a.loose_other - a.before_loose_other as explained_other
        from verified as a
        where a.verified_how = 'anchor' and a.before_inbox_id is not null
    )

    select
        g.account,
        g.before_inbox_id,
        g.after_inbox_id,
        g.before_txn_ts,
        g.after_txn_ts,
        g.balance_after_before,
        g.balance_before_after,
        g.explained_between,
        g.balance_before_after - g.balance_after_before - g.explained_between as missing_amount
    from (
        select * from frontier
        union all
        select * from anchored
    ) as g
    -- a break only where no reading of the movements in between explains the money
    where
        g.balance_before_after <> g.balance_after_before
        and g.balance_before_after <> g.balance_after_before + g.explained_between
        and g.balance_before_after <> g.balance_after_before + g.explained_other;
$$;

comment on function _momo_balance_gaps(interval) is
'The breaks in every account''s verified balance history among the SMS parsed in the last '
'p_lookback (where money is unexplained: after the newest verified SMS, and before an anchor that '
'restarted it); see monitoring.balance_gaps, which reads it with MOMO_BALANCE_GAPS_LOOKBACK.';
