create or replace function _momo_alloc_balance_check()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
-- The batch's temp table drives every join here, and the parses and the verified
-- history are always probed by index: the plans are cached for the session while
-- their statistics lag behind tables that grow by thousands of rows a minute (a
-- plan made while they were small reads all of them at every batch).
set enable_seqscan = off
as $$
declare
    v_balance_check text := _setting('MOMO_BALANCE_CHECK');
    v_accounts text[];
    v_from timestamptz[];
    v_released bigint[];
begin
    if v_balance_check = 'off' then
        return;
    end if;

    -- 1. Walk the verified history of every account this batch has SMS of (money
    -- in and out alike: every genuine SMS that links advances it).
    -- (the SMS whose own parse states a movement: genuine, not a duplicate, an amount)
    select array_agg(p.account), array_agg(p.txn_ts)
    into v_accounts, v_from
    from (
        select w.account, min(w.txn_ts) as txn_ts
        from momo_alloc_work as w
        where w.genuine and w.duplicate_of is null and w.amount is not null
        group by w.account
    ) as p;
    perform _momo_balance_verify(v_accounts, v_from);

    -- 2. This batch's credits that are not verified: a written time far from when
    -- the phone received it, or a wording that states no balance, is a case at
    -- once (it can never verify); any other waits for its history (hold) or is
    -- posted and reported (flag).
    -- (each credit probes the history and its parse by key: a join could read all of both)
    with unverified as (
        select x.inbox_id, (select p from momo_parsed_txns as p where p.id = x.parsed_id) as p
        from momo_alloc_work as x
        where
            x.outcome is null and x.parsed_id is not null
            and (select true from momo_balance_history as h where h.parsed_id = x.parsed_id) is null
    )

    update momo_alloc_work as w
    set
        balance_verified = false,
        outcome = case
            when v_balance_check = 'flag' then null
            when (u.p).sms_time_ok is false or (u.p).balance is null then 'unmatched'
            else 'held'
        end,
        reason = case
            when v_balance_check = 'flag' then null
            when (u.p).sms_time_ok is false then 'sms_time_mismatch'
            else 'balance_unverified'
        end,
        detail = case
            when v_balance_check = 'flag' then null
            when (u.p).sms_time_ok is false then format(
                'the time written in this SMS (%s) is more than MOMO_BALANCE_TIME_WINDOW %s from '
                'when the phone received it (%s): a genuine MoMo SMS reaches the phone within '
                'seconds; possibly a forged or replayed SMS',
                (u.p).txn_ts, _setting('MOMO_BALANCE_TIME_WINDOW'),
                (select i.received_at from momo_sms_inbox as i where i.id = w.inbox_id)
            )
            when (u.p).balance is null then format(
                'this wording (%s) states no balance, so it cannot be verified against the '
                'account''s history (MOMO_BALANCE_CHECK = hold): check the payment on the phone''s '
                'MoMo statement',
                w.format
            )
        end
    from unverified as u
    where w.inbox_id = u.inbox_id;

    insert into momo_balance_holds (
        inbox_id, parsed_id, account, ikimina_id, member_id, matched_by
    )
    select w.inbox_id, w.parsed_id, w.account, w.ikimina_id, w.member_id, w.matched_by
    from momo_alloc_work as w
    where w.outcome = 'held';

    -- 3. Credits held by earlier runs that this batch's SMS linked into the
    -- verified history: posted with this batch.
    select coalesce(array_agg(h.parsed_id), '{}') into v_released
    from momo_balance_holds as h
    where
        h.released_at is null and h.account = any(v_accounts)
        and (select true from momo_balance_history as v where v.parsed_id = h.parsed_id);
    perform _momo_alloc_release_linked(v_released);
end;
$$;

comment on function _momo_alloc_balance_check() is
'Allocation stage, the verified balance chain (MOMO_BALANCE_CHECK): walks the history of the '
'batch''s accounts (_momo_balance_verify); a credit of momo_alloc_work that is not verified is '
'held in momo_balance_holds (hold) or posted with balance_verified false (flag); one whose '
'written time is outside MOMO_BALANCE_TIME_WINDOW (sms_time_mismatch) or whose wording states no '
'balance (balance_unverified) is a case at once under hold. Credits held by earlier runs that are '
'verified now join the batch (_momo_alloc_release_linked).';
