create or replace function _momo_balance_release_pick()
returns boolean
language plpgsql
set search_path = pg_catalog, public, pg_temp
-- The open holds drive every join, and the parses and the verified history are
-- always probed by index (see _momo_alloc_balance_check). Only here: the ledger
-- stages _momo_balance_release runs after it keep the planner's own choice (a plan
-- they cached under this setting would serve every later batch).
set enable_seqscan = off
as $$
declare
    v_check text := _setting('MOMO_BALANCE_CHECK');
    v_wait interval := _setting('MOMO_BALANCE_CHECK_WAIT')::interval;
    v_accounts text[];
    v_from timestamptz[];
    v_walked text[] := '{}'::text[];
begin
    -- Batches release the holds their own SMS verify (a walk waits for another
    -- session's walk of the account to commit, so it sees that session's SMS).
    -- Left for this step: every hold when the check is no longer hold, holds
    -- verified meanwhile (an anchor, another session's walk), and holds whose wait
    -- is over (walked once more first).
    if v_check = 'hold' and not exists (
        select
        from momo_balance_holds as h
        where h.released_at is null and h.held_at <= now() - v_wait
    ) and not exists (
        select
        from momo_balance_holds as h
        where
            h.released_at is null
            and (select true from momo_balance_history as v where v.parsed_id = h.parsed_id)
    ) then
        return false;
    end if;

    if v_check <> 'off' then
        select array_agg(r.account), array_agg(r.txn_ts) into v_accounts, v_from
        from (
            select h.account, min(p.txn_ts) as txn_ts
            from momo_balance_holds as h
            inner join momo_parsed_txns as p on h.parsed_id = p.id
            where
                h.released_at is null
                and (select true from momo_balance_history as v where v.parsed_id = h.parsed_id) is null
                and h.held_at <= now() - v_wait
            group by h.account
        ) as r;
        -- An account another session is walking now is left to that walk and to the
        -- next run: waiting here, after the batch's own walks, could close a deadlock.
        v_walked := _momo_balance_walk_lock(v_accounts, false);
        select array_agg(a.account), array_agg(a.from_ts) into v_accounts, v_from
        from unnest(v_accounts, v_from) as a (account, from_ts)
        where a.account = any(v_walked);
        perform _momo_balance_verify(v_accounts, v_from);
    end if;

    perform _momo_alloc_work_open();

    with open_holds as (
        select h.inbox_id, h.parsed_id, h.held_at, h.account, h.member_id, h.ikimina_id, h.matched_by
        from momo_balance_holds as h
        where
            h.released_at is null and h.held_at < now()
            and (
                v_check <> 'hold'
                or (select true from momo_balance_history as v where v.parsed_id = h.parsed_id)
                or (h.held_at <= now() - v_wait and h.account = any(v_walked))
            )
        order by h.inbox_id
        for update of h skip locked
    ),

    checked as (
        select
            o.*,
            v.verified as linked,
            v_check <> 'hold' or v.verified as releasable
        from open_holds as o
        cross join lateral (
            select exists (select from momo_balance_history as h where h.parsed_id = o.parsed_id) as verified
        ) as v
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
    return true;
end;
$$;

comment on function _momo_balance_release_pick() is
'Part of _momo_balance_release: the balance holds no batch released that are due now go into a '
'fresh momo_alloc_work as released holds (released_hold): all of them when MOMO_BALANCE_CHECK is '
'no longer hold, those verified meanwhile, and those whose MOMO_BALANCE_CHECK_WAIT is over (their '
'accounts walked again first, unless another session is walking one: left to the next run), as '
'unmatched balance_unverified when still not verified. False when none can be due.';

create or replace function _momo_balance_release()
returns integer
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_released integer;
begin
    if not _momo_balance_release_pick() then
        return 0;
    end if;

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
'Re-examines the balance holds no batch released (_momo_balance_release_pick): all of them when '
'MOMO_BALANCE_CHECK is no longer hold (posted), those verified meanwhile (posted), and those whose '
'MOMO_BALANCE_CHECK_WAIT is over (walked again, posted if verified now, else a balance_unverified '
'case; an account another session is walking is left to the next run). Returns how many it released.';
