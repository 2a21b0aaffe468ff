create or replace function _momo_balance_release()
returns integer
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_check text := _setting('MOMO_BALANCE_CHECK');
    v_wait interval := _setting('MOMO_BALANCE_CHECK_WAIT')::interval;
    v_released integer;
    v_accounts text[];
    v_from timestamptz[];
begin
    -- Batches release the holds their own SMS verify. Left for this step: every
    -- hold when the check is no longer hold, holds whose wait is over, holds
    -- verified meanwhile (an anchor, another session's walk), and holds of the
    -- last seconds (their neighbour may have been in another session's batch,
    -- not yet committed, when they were checked: walked again here).
    if v_check = 'hold' and not exists (
        select
        from momo_balance_holds as h
        where
            h.released_at is null
            and (h.held_at <= now() - v_wait or h.held_at > now() - interval '10 seconds')
    ) and not exists (
        select
        from momo_balance_holds as h
        inner join momo_parsed_txns as p on h.parsed_id = p.id
        where h.released_at is null and p.verified_at is not null
    ) then
        return 0;
    end if;

    if v_check <> 'off' then
        select array_agg(r.account), array_agg(r.txn_ts) into v_accounts, v_from
        from (
            select h.account, min(p.txn_ts) as txn_ts
            from momo_balance_holds as h
            inner join momo_parsed_txns as p on h.parsed_id = p.id
            where
                h.released_at is null and p.verified_at is null
                and (h.held_at <= now() - v_wait or h.held_at > now() - interval '10 seconds')
            group by h.account
        ) as r;
        perform _momo_balance_verify(v_accounts, v_from);
    end if;

    perform _momo_alloc_work_open();

    with open_holds as (
        select h.inbox_id, h.parsed_id, h.held_at, h.account, h.member_id, h.ikimina_id, h.matched_by
        from momo_balance_holds as h
        inner join momo_parsed_txns as p on h.parsed_id = p.id
        where
            h.released_at is null and h.held_at < now()
            and (
                v_check <> 'hold' or p.verified_at is not null
                or h.held_at <= now() - v_wait or h.held_at > now() - interval '10 seconds'
            )
        order by h.inbox_id
        for update of h skip locked
    ),

    checked as (
        select
            o.*,
            p.verified_at is not null as linked,
            v_check <> 'hold' or p.verified_at is not null as releasable
        from open_holds as o
        inner join momo_parsed_txns as p on o.parsed_id = p.id
    )

    insert into momo_alloc_work (
        inbox_id, account, format, amount, currency, txn_id, txn_ts, parsed_id, member_id,
        ikimina_id, matched_by, balance_verified, released_hold, outcome, reason, detail
    )
    select
        c.inbox_id, c.account, p.format, p.amount, p.currency, p.txn_id, p.txn_ts, c.parsed_id,
        c.member_id, c.ikimina_id, c.matched_by, c.linked, true,
        case
            when c.releasable then null
            when c.held_at <= now() - v_wait then 'unmatched'
            else 'held'
        end,
        case when not c.releasable and c.held_at <= now() - v_wait then 'balance_unverified' end,
        case when not c.releasable and c.held_at <= now() - v_wait then format(
            'the balance this SMS states (%s) did not link to the verified history of account %s '
            'within MOMO_BALANCE_CHECK_WAIT %s: possibly a forged SMS, or an SMS before it was '
            'never forwarded (monitoring.balance_gaps; an anchor: balance_anchor_confirm)',
            p.balance, c.account, v_wait
        ) end
    from checked as c
    inner join momo_parsed_txns as p on c.parsed_id = p.id;

    -- Still waiting: nothing to do for those.
    delete from momo_alloc_work where outcome = 'held';

    insert into momo_unmatched (inbox_id, parsed_id, reason, detail)
    select w.inbox_id, w.parsed_id, w.reason, w.detail
    from momo_alloc_work as w
    where w.outcome = 'unmatched'
    order by w.inbox_id
    on conflict (inbox_id) where status = 'open' do nothing;

    perform _momo_alloc_post_ledger(_setting('MOMO_TIMEZONE'));
    perform _momo_alloc_close_inbox();
    perform _momo_alloc_holds_close();

    select count(*)::integer into v_released from momo_alloc_work;
    return v_released;
end;
$$;

comment on function _momo_balance_release() is
'Re-examines the balance holds no batch released: all of them when MOMO_BALANCE_CHECK is no '
'longer hold (posted), those verified meanwhile (posted), those whose MOMO_BALANCE_CHECK_WAIT is '
'over (walked again, posted if verified now, else a balance_unverified case) and those of the '
'last 10 seconds (walked again, posted if verified). Returns how many it released.';
