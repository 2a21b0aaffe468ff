create or replace function balance_anchor_confirm(p_inbox_id bigint, p_reason text)
returns table (
    inbox_id bigint, account text, balance numeric, verified_how text, verified_at timestamptz
)
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_parsed public.momo_parsed_txns;
    v_before public.momo_balance_history;
    v_after public.momo_balance_history;
begin
    perform public._require_text(
        p_reason, 'a reason is required to confirm a balance anchor', 'p_reason',
        'Say how you checked, e.g. ''MoMo statement on the phone shows balance 61,200 after this '
        'payment, ticket 123''.'
    );
    perform public._require_argument(p_inbox_id is not null, 'an inbox id is required', 'p_inbox_id');

    -- The account's walk lock first (as every walk takes it, before any row lock of
    -- the account's): then no walk runs, and none inserts into its history, meanwhile.
    perform public._momo_balance_walk_lock(
        array(select p.account from public.momo_parsed_txns as p where p.inbox_id = p_inbox_id), true
    );
    select p.* into v_parsed
    from public.momo_parsed_txns as p
    where p.inbox_id = p_inbox_id
    for update of p;
    if not found then
        raise exception 'SMS % has no parse: it does not exist or the allocator has not read it yet',
            p_inbox_id
            using errcode = 'MM404', hint = 'See select id, outcome from momo_sms_inbox where id = ...';
    end if;
    if v_parsed.movement is null or v_parsed.balance is null then
        raise exception 'SMS % cannot anchor its account''s balance history', p_inbox_id
            using errcode = 'MM409',
            hint = 'An anchor is a genuine SMS (operator sender, known format, not a duplicate) that '
            'states a balance. Pick another SMS of the account.';
    end if;
    select h.* into v_before
    from public.momo_balance_history as h
    where h.parsed_id = v_parsed.id
    for update of h;
    if v_before.verified_how = 'anchor' then
        raise exception 'SMS % is already an anchor of account %', p_inbox_id, v_parsed.account
            using errcode = 'MM409', hint = 'Nothing to do.';
    end if;

    -- A person's word overrides the time check too.
    update public.momo_parsed_txns as p set sms_time_ok = true where p.id = v_parsed.id;
    insert into public.momo_balance_history as h (parsed_id, verified_how)
    values (v_parsed.id, 'anchor')
    on conflict (parsed_id) do update set verified_how = 'anchor', verified_at = now()
    returning h.* into v_after;

    perform public._audit(
        'balance_anchor_confirm', 'momo_balance_history', v_parsed.id::text, p_reason,
        jsonb_build_object(
            'inbox_id', p_inbox_id, 'account', v_parsed.account, 'balance', v_parsed.balance,
            'verified_at', v_before.verified_at, 'verified_how', v_before.verified_how
        ),
        jsonb_build_object(
            'inbox_id', p_inbox_id, 'account', v_parsed.account, 'balance', v_parsed.balance,
            'verified_at', v_after.verified_at, 'verified_how', v_after.verified_how
        )
    );

    -- Everything after it that links is verified now; its held credits are posted at once.
    perform public._momo_balance_verify(array[v_parsed.account], array[v_parsed.txn_ts]);
    perform public._momo_balance_release();
    return query select v_parsed.inbox_id, v_parsed.account, v_parsed.balance::numeric,
        v_after.verified_how, v_after.verified_at;
end;
$$;

comment on function balance_anchor_confirm(bigint, text) is
'DBA: "I checked the phone''s MoMo balance (or statement): this SMS is genuine." Makes the SMS of '
'p_inbox_id an anchor of its account''s verified balance history (momo_balance_history, '
'verified_how anchor) and returns it (inbox_id, account, balance, verified_how, verified_at); '
'verifies the SMS after it that link, and posts at once every held credit that is verified now. '
'For a brand-new account and after a break no SMS fills. Audited.';
