create or replace function unmatched_resolve(
    p_case_id bigint,
    p_note text,
    p_member_id uuid default null,
    p_amount numeric default null,
    p_remember_payer boolean default false
)
returns momo_unmatched
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_case public.momo_unmatched;
    v_after public.momo_unmatched;
    v_inbox public.momo_sms_inbox;
    v_parsed public.momo_parsed_txns;
    v_member public.ibimina_members;
    v_ikimina public.ibimina;
    v_ledger public.contributions_ledger;
    v_cycle_before public.contribution_cycles;
    v_cycle_after public.contribution_cycles;
    v_amount numeric;
    v_currency text;
    v_yyyymm integer;
    v_other bigint;
    v_other_reversed bigint;
    v_parse_error text;
    v_account_group uuid;
    v_remembered public.remembered_payers;
begin
    perform public._require_text(
        p_note, 'a note is required to resolve an unmatched case', 'p_note',
        'Say what you found, e.g. ''payer is member M-12, confirmed by phone''.'
    );
    perform public._require_argument(p_case_id is not null, 'a case id is required', 'p_case_id');
    if p_amount is not null and p_member_id is null then
        raise exception 'an amount only makes sense with a member to allocate it to'
            using errcode = 'MM400', column = 'p_amount';
    end if;
    if p_remember_payer and p_member_id is null then
        raise exception 'a payer can only be remembered for a member: pass p_member_id'
            using errcode = 'MM400', column = 'p_remember_payer';
    end if;
    perform public._require_money('p_amount', p_amount, p_required => false);

    -- Lock order inbox row, then case (as momo_sms_requeue) so the two never deadlock.
    select * into v_case from public.momo_unmatched where id = p_case_id;
    if not found then
        raise exception 'unmatched case % does not exist', p_case_id
            using errcode = 'MM404', hint = 'See select * from momo_unmatched where status = ''open''.';
    end if;
    begin
        select * into v_inbox from public.momo_sms_inbox where id = v_case.inbox_id for update nowait;
    exception when lock_not_available then
        raise exception 'SMS % of case % is locked by another session (the allocator or another correction)',
            v_case.inbox_id, p_case_id
            using errcode = 'MM409', hint = 'Try again in a minute, then check the case first.';
    end;
    select * into v_case from public.momo_unmatched where id = p_case_id for update;
    if v_case.status <> 'open' then
        raise exception 'unmatched case % was already resolved (%) by % at %',
            p_case_id, v_case.resolution, v_case.resolved_by, v_case.resolved_at
            using errcode = 'MM409', hint = 'A case is resolved once; see its resolution_note.';
    end if;

    if p_member_id is not null then
        v_member := public._member_for_allocation(p_member_id);
        select * into v_ikimina from public.ibimina where id = v_member.ikimina_id;
        if v_case.parsed_id is not null then
            select * into v_parsed from public.momo_parsed_txns where id = v_case.parsed_id;
            -- A parse that did not claim its txn id (a duplicate, say) keeps it in
            -- parsed_json: it still names the payment.
            v_parsed.txn_id := coalesce(v_parsed.txn_id, nullif(v_parsed.parsed_json ->> 'txn_id', ''));
        else
            -- No parse stored (a dead letter): read the SMS now, so that its transaction
            -- id goes into the ledger and no other copy of the payment can be credited.
            begin
                -- The amount and currency only from a known format; a transaction id even
                -- when guessed (a duplicate refused is safer than a payment counted twice).
                select
                    case when p.format is not null then p.amount end,
                    case when p.format is not null then p.currency end,
                    p.txn_id, p.txn_ts
                into v_parsed.amount, v_parsed.currency, v_parsed.txn_id, v_parsed.txn_ts
                from public.momo_parse_sms(v_inbox.raw_text, v_inbox.received_at) as p;
            exception when others then
                get stacked diagnostics v_parse_error = message_text;
                raise exception 'SMS % cannot be read (%), so its transaction id is unknown', v_inbox.id,
                    v_parse_error
                    using errcode = 'MM422', column = 'p_case_id',
                    hint = 'Fix the cause and re-run it with momo_sms_requeue(), or dismiss the case '
                    '(no member) and settle the payment outside the ledger.';
            end;
        end if;

        -- An SMS received on a group's collection account credits that group only.
        select a.ikimina_id into v_account_group
        from public.collection_accounts as a
        where a.account = coalesce(v_parsed.account, v_inbox.receiving_account, v_inbox.ingest_source);
        if v_account_group is not null and v_account_group <> v_member.ikimina_id then
            raise exception 'SMS % was received on account % of group %, and member % is not of that group',
                v_inbox.id, coalesce(v_parsed.account, v_inbox.receiving_account, v_inbox.ingest_source),
                v_account_group, v_member.id
                using errcode = 'MM422', column = 'p_member_id',
                hint = 'Pick a member of that group (see the case''s candidates), or dismiss the case.';
        end if;
        if p_remember_payer then
            v_remembered := public._remembered_payer_add(v_case, v_parsed, v_account_group, v_member);
        end if;

        v_amount := coalesce(v_parsed.amount, p_amount);
        if v_amount is null then
            raise exception 'the amount of SMS % is unknown (the parser could not read it)', v_inbox.id
                using errcode = 'MM422', column = 'p_amount',
                hint = 'Read the SMS (select raw_text from momo_sms_inbox where id = ...) and pass p_amount.';
        end if;
        if p_amount is not null and v_parsed.amount is not null and p_amount <> v_parsed.amount then
            raise exception 'SMS % is for %, not %: the parsed amount cannot be overridden',
                v_inbox.id, v_parsed.amount, p_amount
                using errcode = 'MM400', column = 'p_amount', hint = 'Leave p_amount out.';
        end if;
        v_currency := coalesce(v_parsed.currency, v_ikimina.currency);
        if v_currency <> v_ikimina.currency then
            raise exception 'SMS % is in % but group % keeps its ledger in %',
                v_inbox.id, v_currency, v_ikimina.name, v_ikimina.currency
                using errcode = 'MM422', column = 'p_member_id',
                hint = 'Dismiss the case (no member) and settle it outside the ledger.';
        end if;

        -- One payment, one allocation: the SMS itself, or its transaction id, must not
        -- be in the ledger already (the unique txn_id is the last guard).
        -- The live entry first, so that the refusal names what holds the payment now.
        select l.id, r.id into v_other, v_other_reversed
        from public.contributions_ledger as l
        left join public.contributions_ledger as r on r.reverses_id = l.id
        where l.source <> 'correction'
            and (
                l.inbox_id = v_inbox.id
                or (v_parsed.txn_id is not null and l.txn_id = v_parsed.txn_id)
            )
        order by r.id is not null, l.id desc
        limit 1;
        if found then
            raise exception using
                errcode = 'MM409',
                message = format(
                    'the payment of SMS %s is already in the ledger as entry %s%s', v_inbox.id, v_other,
                    case when v_other_reversed is not null then
                        format(' (reversed by entry %s)', v_other_reversed) else '' end
                ),
                hint = case
                    when v_other_reversed is not null then format(
                        'Entry %s was reversed: to credit the payment again use ledger_recredit(%s, '
                        'member_id, reason); then dismiss this case with a note.', v_other, v_other
                    )
                    else 'Allocating it again would count it twice. If that entry has the wrong member, '
                    'use ledger_reallocate(entry, member_id, reason); then dismiss this case with a note.'
                end;
        end if;

        v_yyyymm := to_char(
            coalesce(v_parsed.txn_ts, v_inbox.received_at) at time zone public._setting('MOMO_TIMEZONE'),
            'YYYYMM'
        )::integer;
        select * into v_cycle_before from public.contribution_cycles
        where ikimina_id = v_member.ikimina_id and yyyymm = v_yyyymm;

        begin
            insert into public.contributions_ledger (
                ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, source,
                inbox_id, parsed_id, meta
            )
            values (
                v_member.ikimina_id, v_member.id, v_amount, v_currency, v_yyyymm, v_parsed.txn_id, 'manual',
                v_inbox.id, v_parsed.id,
                jsonb_build_object(
                    'inbox_id', v_inbox.id, 'parsed_id', v_parsed.id, 'case_id', v_case.id,
                    'note', p_note
                )
            )
            returning * into v_ledger;
        exception when unique_violation then
            raise exception 'transaction % is already in the ledger', v_parsed.txn_id
                using errcode = 'MM409',
                hint = 'Allocating it again would count it twice. Dismiss the case with a note instead.';
        end;

        select * into v_cycle_after from public.contribution_cycles
        where ikimina_id = v_member.ikimina_id and yyyymm = v_yyyymm;
    end if;

    update public.momo_unmatched
    set status = 'resolved',
        resolved_at = now(),
        resolved_by = session_user,
        resolution = case when v_ledger.id is null then 'dismissed' else 'allocated' end,
        resolution_note = p_note,
        ledger_id = v_ledger.id
    where id = p_case_id
    returning * into v_after;

    perform public._audit(
        'unmatched_resolve', 'momo_unmatched', p_case_id::text, p_note,
        jsonb_build_object(
            'case', to_jsonb(v_case),
            'cycle', case when v_cycle_before.ikimina_id is not null then to_jsonb(v_cycle_before) end
        ),
        jsonb_build_object(
            'case', to_jsonb(v_after),
            'ledger_entry', case when v_ledger.id is not null then to_jsonb(v_ledger) end,
            'remembered_payer', case when v_remembered.id is not null then to_jsonb(v_remembered) end,
            'cycle', case when v_cycle_after.ikimina_id is not null then to_jsonb(v_cycle_after) end
        )
    );
    return v_after;
end;
$$;

comment on function unmatched_resolve(bigint, text, uuid, numeric, boolean) is
'DBA: close an open momo_unmatched case with a note. With p_member_id (an active membership) the '
'payment is allocated to that member as a manual ledger entry (same txn id, so never twice; a case '
'without a stored parse, a dead letter, is parsed now for it) and the case records the ledger id; '
'refused (MM409, naming the entry) when the payment is already in the ledger. Without a member the '
'case is dismissed. p_amount only when the SMS amount could not be parsed. An SMS received on a '
'collection account is only credited to a member of its group (MM422). p_remember_payer: also '
'remember the payer as the SMS states it for that group (remembered_payers), so its later SMS '
'allocate by themselves. Audited.';
