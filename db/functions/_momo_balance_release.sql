create or replace function _momo_balance_release()
returns integer
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_check text := _setting('MOMO_BALANCE_CHECK');
    v_wait interval := _setting('MOMO_BALANCE_CHECK_WAIT')::interval;
    v_released integer;
begin
    perform _momo_alloc_work_open();

    -- Open holds that no other allocator is releasing, with whether their balance
    -- links now (later SMS of the account may have arrived since).
    with open_holds as (
        select h.inbox_id, h.parsed_id, h.held_at, h.member_id, h.ikimina_id, h.matched_by
        from momo_balance_holds as h
        where h.released_at is null and h.held_at < now()
        order by h.inbox_id
        for update of h skip locked
    ),

    checked as (
        select
            o.*,
            v_check <> 'hold' or coalesce(l.linked, false) as releasable,
            l.linked
        from open_holds as o
        left join _momo_balance_links(
            case when v_check <> 'off' then array(select x.parsed_id from open_holds as x) end
        ) as l on o.parsed_id = l.parsed_id
    )

    insert into momo_alloc_work (
        inbox_id, account, format, amount, currency, txn_id, txn_ts, parsed_id, member_id,
        ikimina_id, matched_by, balance_verified, outcome, reason, detail
    )
    select
        c.inbox_id, p.account, p.format, p.amount, p.currency, p.txn_id, p.txn_ts, p.parsed_id,
        c.member_id, c.ikimina_id, c.matched_by, c.linked,
        case
            when c.releasable then null
            when c.held_at <= now() - v_wait then 'unmatched'
            else 'held'
        end,
        case when not c.releasable and c.held_at <= now() - v_wait then 'balance_unverified' end,
        case when not c.releasable and c.held_at <= now() - v_wait then format(
            'the balance this SMS states (%s) did not link to the SMS before or after it on account %s '
            'within MOMO_BALANCE_CHECK_WAIT %s: possibly a forged SMS, or the SMS next to it was '
            'never forwarded (monitoring.balance_gaps)',
            p.balance, p.account, v_wait
        ) end
    from checked as c
    inner join lateral (
        select x.id as parsed_id, x.account, x.format, x.amount, x.currency, x.txn_id, x.txn_ts, x.balance
        from momo_parsed_txns as x
        where x.id = c.parsed_id
    ) as p on true;

    -- Still waiting: nothing to do for those.
    delete from momo_alloc_work where outcome = 'held';

    insert into momo_unmatched (inbox_id, parsed_id, reason, detail)
    select w.inbox_id, w.parsed_id, w.reason, w.detail
    from momo_alloc_work as w
    where w.outcome = 'unmatched'
    order by w.inbox_id
    on conflict (inbox_id) where status = 'open' do nothing;

    perform _momo_post_ledger(_setting('MOMO_TIMEZONE'));

    update momo_sms_inbox as i
    set outcome = w.outcome, last_error = w.reason
    from momo_alloc_work as w
    where i.id = w.inbox_id;

    update momo_balance_holds as h
    set
        released_at = now(),
        release = case
            when w.outcome = 'unmatched' then 'unverified'
            when w.outcome = 'duplicate' then 'duplicate'
            when w.balance_verified then 'verified'
            else 'check_off'
        end
    from momo_alloc_work as w
    where h.inbox_id = w.inbox_id;

    get diagnostics v_released = row_count;
    return v_released;
end;
$$;

comment on function _momo_balance_release() is
'Re-examines the open balance holds: a credit whose balance now links (or every credit, when '
'MOMO_BALANCE_CHECK is no longer hold) is posted to the ledger; one still unlinked after '
'MOMO_BALANCE_CHECK_WAIT becomes a balance_unverified case. Returns how many holds it released.';
