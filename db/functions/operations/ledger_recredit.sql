create or replace function ledger_recredit(p_ledger_id bigint, p_member_id uuid, p_reason text)
returns contributions_ledger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_original public.contributions_ledger;
    v_reversal public.contributions_ledger;
    v_later bigint;
    v_member public.ibimina_members;
    v_ikimina public.ibimina;
    v_credit public.contributions_ledger;
    v_cycle_before public.contribution_cycles;
    v_cycle_after public.contribution_cycles;
begin
    perform public._require_text(
        p_reason, 'a reason is required to credit a payment again', 'p_reason',
        'Say why, e.g. ''payer is Aline, not Jean, ticket 123''.'
    );
    perform public._require_argument(p_ledger_id is not null, 'a ledger entry id is required', 'p_ledger_id');
    perform public._require_argument(p_member_id is not null, 'a member id is required', 'p_member_id');

    v_original := public._ledger_entry_for_update(p_ledger_id);
    if v_original.source = 'correction' then
        raise exception 'ledger entry % is a correction (it reverses entry %)',
            p_ledger_id, v_original.reverses_id
            using errcode = 'MM409', column = 'p_ledger_id',
            hint = format('Pass the reversed entry instead: ledger_recredit(%s, ...).', v_original.reverses_id);
    end if;
    select * into v_reversal from public.contributions_ledger where reverses_id = p_ledger_id;
    if not found then
        raise exception 'ledger entry % still counts (it was never reversed)', p_ledger_id
            using errcode = 'MM409', column = 'p_ledger_id',
            hint = 'To move it to another member use ledger_reallocate(entry, member_id, reason).';
    end if;
    select c.id into v_later from public.contributions_ledger as c where c.recredits_id = v_reversal.id;
    if found then
        raise exception 'the payment of ledger entry % was already credited again as entry %',
            p_ledger_id, v_later
            using errcode = 'MM409', column = 'p_ledger_id',
            hint = format('Work on the newest entry: select * from contributions_ledger where id = %s.', v_later);
    end if;

    v_member := public._member_for_allocation(p_member_id);
    select * into v_ikimina from public.ibimina where id = v_member.ikimina_id;
    if v_ikimina.currency <> v_original.currency then
        raise exception 'ledger entry % is in % but group % keeps its ledger in %',
            p_ledger_id, v_original.currency, v_ikimina.name, v_ikimina.currency
            using errcode = 'MM422', column = 'p_member_id',
            hint = 'Only a member of a group in the payment''s currency can be credited with it.';
    end if;

    select * into v_cycle_before from public.contribution_cycles
    where ikimina_id = v_member.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    -- The next generation of the same payment. The foreign key from recredits_id to
    -- the reversal (same txn id, previous generation) and the unique (txn_id,
    -- txn_generation) refuse a second live credit whoever inserts it; the insert
    -- trigger adds the amount to the member's cycle.
    begin
        insert into public.contributions_ledger (
            ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, txn_generation,
            recredits_id, source, inbox_id, parsed_id, meta
        )
        values (
            v_member.ikimina_id, v_member.id, v_original.amount, v_original.currency,
            v_original.cycle_yyyymm, v_original.txn_id, v_original.txn_generation + 1,
            v_reversal.id, 'manual', v_original.inbox_id, v_original.parsed_id,
            jsonb_build_object(
                'recredits_id', v_reversal.id,
                'corrects_id', v_original.id,
                'inbox_id', v_original.inbox_id,
                'parsed_id', v_original.parsed_id,
                'reason', p_reason
            )
        )
        returning * into v_credit;
    exception when unique_violation then
        raise exception 'the payment of ledger entry % was credited again meanwhile', p_ledger_id
            using errcode = 'MM409',
            hint = 'Someone else corrected it at the same time: read the ledger, then decide.';
    end;

    select * into v_cycle_after from public.contribution_cycles
    where ikimina_id = v_member.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    perform public._audit(
        'ledger_recredit', 'contributions_ledger', p_ledger_id::text, p_reason,
        jsonb_build_object(
            'entry', to_jsonb(v_original), 'reversal', to_jsonb(v_reversal),
            'cycle', case when v_cycle_before.ikimina_id is not null then to_jsonb(v_cycle_before) end
        ),
        jsonb_build_object('credit', to_jsonb(v_credit), 'cycle', to_jsonb(v_cycle_after))
    );
    return v_credit;
end;
$$;

comment on function ledger_recredit(bigint, uuid, text) is
'DBA: credit a payment whose ledger entry was reversed (ledger_reverse) to an active member of a '
'group in its currency: same amount, currency, cycle month, txn id and SMS, the next '
'txn_generation, recredits_id = the reversal. Refuses an entry that still counts or was already '
'credited again (MM409). Audited.';
