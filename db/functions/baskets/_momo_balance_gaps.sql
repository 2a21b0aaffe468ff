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
    -- Genuine money movements of the lookback window; loose = running total of
    -- the movements that state no balance (they explain part of the next step).
    with movements as (
        select
            p.account,
            p.id,
            p.inbox_id,
            p.txn_ts,
            p.balance,
            p.movement,
            sum(case when p.balance is null then p.movement else 0 end)
                over (partition by p.account order by p.txn_ts, p.id) as loose
        from public.momo_parsed_txns as p
        where p.movement is not null and p.created_at > now() - p_lookback
    ),

    steps as (
        select
            n.account,
            n.inbox_id,
            n.txn_ts,
            n.balance - n.movement as balance_before,
            n.loose,
            lag(n.inbox_id) over w as before_inbox_id,
            lag(n.txn_ts) over w as before_txn_ts,
            lag(n.balance) over w as before_balance,
            lag(n.loose) over w as before_loose
        from movements as n
        where n.balance is not null
        window w as (partition by n.account order by n.txn_ts, n.id)
    )

    select
        s.account,
        s.before_inbox_id,
        s.inbox_id as after_inbox_id,
        s.before_txn_ts,
        s.txn_ts as after_txn_ts,
        s.before_balance as balance_after_before,
        s.balance_before as balance_before_after,
        s.loose - s.before_loose as explained_between,
        s.balance_before - s.before_balance - (s.loose - s.before_loose) as missing_amount
    from steps as s
    where
        s.before_inbox_id is not null
        and s.balance_before <> s.before_balance + (s.loose - s.before_loose);
$$;

comment on function _momo_balance_gaps(interval) is
'The breaks in every account''s balance chain among the SMS parsed in the last p_lookback: '
'see monitoring.balance_gaps, which reads it with MOMO_BALANCE_GAPS_LOOKBACK.';
