create or replace function momo_sms_requeue(p_inbox_id bigint, p_reason text)
returns momo_sms_inbox
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_before public.momo_sms_inbox;
    v_after public.momo_sms_inbox;
    v_parsed public.momo_parsed_txns;
    v_case_before public.momo_unmatched;
    v_case_after public.momo_unmatched;
    v_ledger_id bigint;
    v_duplicate record;
begin
    perform public._require_text(
        p_reason, 'a reason is required to re-run an SMS', 'p_reason',
        'Say what was fixed, e.g. ''profile phone number corrected, ticket 123''.'
    );
    perform public._require_argument(p_inbox_id is not null, 'an inbox id is required', 'p_inbox_id');

    begin
        select * into v_before from public.momo_sms_inbox where id = p_inbox_id for update nowait;
    exception when lock_not_available then
        raise exception 'SMS % is locked by another session (the allocator or another correction)',
            p_inbox_id
            using errcode = 'MM409', hint = 'Try again in a minute, then check its outcome first.';
    end;
    if not found then
        raise exception 'SMS % does not exist', p_inbox_id
            using errcode = 'MM404', hint = 'See select id, outcome, last_error from momo_sms_inbox.';
    end if;
    if v_before.processed_at is null and v_before.last_error is null then
        raise exception 'SMS % is already waiting for the allocator', p_inbox_id
            using errcode = 'MM409', hint = 'Nothing to do: the next allocator run picks it up.';
    end if;

    if v_before.outcome = 'held' then
        raise exception 'SMS % is held until its balance links to its account''s history', p_inbox_id
            using errcode = 'MM409',
            hint = 'Every allocator run re-examines it (monitoring.balance_holds); after '
            'MOMO_BALANCE_CHECK_WAIT it becomes a balance_unverified case. Runbook: Balance gaps.';
    end if;

    select * into v_parsed from public.momo_parsed_txns where inbox_id = p_inbox_id;

    -- An allocated payment is corrected in the ledger, never re-run: a second run
    -- could allocate it again.
    select l.id into v_ledger_id
    from public.contributions_ledger as l
    where l.inbox_id = p_inbox_id or (v_parsed.id is not null and l.parsed_id = v_parsed.id)
    order by l.id
    limit 1;
    if found then
        raise exception 'SMS % cannot be re-run: ledger entry % references it', p_inbox_id, v_ledger_id
            using errcode = 'MM409',
            hint = 'Its payment is in the ledger; re-running could count it twice. If the allocation '
            'is wrong, move it with ledger_reallocate(entry, member_id, reason); a reversed entry is '
            'credited again with ledger_recredit(entry, member_id, reason).';
    end if;

    if v_parsed.id is not null then
        select p.id, p.inbox_id into v_duplicate
        from public.momo_parsed_txns as p
        where p.duplicate_of = v_parsed.id
        order by p.id
        limit 1;
        if found then
            raise exception 'SMS % cannot be re-run: SMS % was recorded as a duplicate of its transaction',
                p_inbox_id, v_duplicate.inbox_id
                using errcode = 'MM409',
                hint = 'Resolve its unmatched case with unmatched_resolve(case_id, note, member_id) instead.';
        end if;
    end if;

    select * into v_case_before from public.momo_unmatched
    where inbox_id = p_inbox_id and status = 'open'
    for update;
    if found then
        update public.momo_unmatched
        set status = 'resolved',
            resolved_at = now(),
            resolved_by = session_user,
            resolution = 'requeued',
            resolution_note = p_reason
        where id = v_case_before.id
        returning * into v_case_after;
    end if;

    -- Work state of the run that is undone: its released balance hold and its parse.
    delete from public.momo_balance_holds where inbox_id = p_inbox_id;
    if v_parsed.id is not null then
        delete from public.momo_parsed_txns where id = v_parsed.id;
    end if;

    update public.momo_sms_inbox
    set processed_at = null,
        outcome = null,
        last_error = null,
        attempts = 0,
        next_attempt_at = null
    where id = p_inbox_id
    returning * into v_after;

    perform public._audit(
        'momo_sms_requeue', 'momo_sms_inbox', p_inbox_id::text, p_reason,
        jsonb_build_object(
            'inbox', to_jsonb(v_before),
            'parsed', case when v_parsed.id is not null then to_jsonb(v_parsed) end,
            'case', case when v_case_before.id is not null then to_jsonb(v_case_before) end
        ),
        jsonb_build_object(
            'inbox', to_jsonb(v_after),
            'case', case when v_case_after.id is not null then to_jsonb(v_case_after) end
        )
    );
    return v_after;
end;
$$;

comment on function momo_sms_requeue(bigint, text) is
'DBA: re-run the allocator on one SMS after fixing its cause (e.g. a profile''s phone number). '
'Clears processed_at, outcome, last_error, attempts and next_attempt_at, deletes its parsed row '
'(kept in the audit row''s before image) and resolves its open case as requeued. Refused when a '
'ledger entry references the SMS. Audited.';
