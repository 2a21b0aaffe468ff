create or replace function _momo_alloc_balance_check()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
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
    select array_agg(p.account), array_agg(p.txn_ts)
    into v_accounts, v_from
    from (
        select x.account, min(x.txn_ts) as txn_ts
        from momo_alloc_work as w
        inner join momo_parsed_txns as x on w.parsed_id = x.id
        where x.inbox_id = w.inbox_id and x.movement is not null
        group by x.account
    ) as p;
    perform _momo_balance_verify(v_accounts, v_from);

    -- 2. This batch's credits that are not verified: a written time far from when
    -- the phone received it, or a wording that states no balance, is a case at
    -- once (it can never verify); any other waits for its history (hold) or is
    -- posted and reported (flag).
    update momo_alloc_work as w
    set
        balance_verified = false,
        outcome = case
            when v_balance_check = 'flag' then null
            when p.sms_time_ok is false or p.balance is null then 'unmatched'
            else 'held'
        end,
        reason = case
            when v_balance_check = 'flag' then null
            when p.sms_time_ok is false then 'sms_time_mismatch'
            else 'balance_unverified'
        end,
        detail = case
            when v_balance_check = 'flag' then null
            when p.sms_time_ok is false then format(
                'the time written in this SMS (%s) is more than MOMO_BALANCE_TIME_WINDOW %s from '
                'when the phone received it (%s): a genuine MoMo SMS reaches the phone within '
                'seconds; possibly a forged or replayed SMS',
                p.txn_ts, _setting('MOMO_BALANCE_TIME_WINDOW'),
                (select i.received_at from momo_sms_inbox as i where i.id = w.inbox_id)
            )
            when p.balance is null then format(
                'this wording (%s) states no balance, so it cannot be verified against the '
                'account''s history (MOMO_BALANCE_CHECK = hold): check the payment on the phone''s '
                'MoMo statement',
                w.format
            )
        end
    from momo_parsed_txns as p
    where w.outcome is null and w.parsed_id = p.id and p.verified_at is null;

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
    inner join momo_parsed_txns as p on h.parsed_id = p.id
    where h.released_at is null and h.account = any(v_accounts) and p.verified_at is not null;
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
