create or replace function ledger_reverse(p_ledger_id bigint, p_reason text)
returns contributions_ledger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_original public.contributions_ledger;
    v_existing bigint;
    v_correction public.contributions_ledger;
    v_cycle_before public.contribution_cycles;
    v_cycle_after public.contribution_cycles;
begin
    perform public._require_text(
        p_reason, 'a reason is required to reverse a ledger entry', 'p_reason',
        'Say why, e.g. select ledger_reverse(42, ''allocated to the wrong member, ticket 123'').'
    );
    perform public._require_argument(p_ledger_id is not null, 'a ledger entry id is required', 'p_ledger_id');

    v_original := public._ledger_entry_for_update(p_ledger_id);
    if v_original.source = 'correction' then
        raise exception 'ledger entry % is itself a correction (it reverses entry %) and cannot be reversed',
            p_ledger_id, v_original.reverses_id
            using errcode = 'MM409',
            hint = 'A correction is final. If the original was right after all, credit the payment '
            'again with ledger_recredit(entry, member_id, reason).';
    end if;
    select c.id into v_existing from public.contributions_ledger as c where c.reverses_id = p_ledger_id;
    if found then
        raise exception 'ledger entry % was already reversed by entry %', p_ledger_id, v_existing
            using errcode = 'MM409', hint = 'Nothing to do: the entry no longer counts.';
    end if;

    select * into v_cycle_before from public.contribution_cycles
    where ikimina_id = v_original.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    -- The ledger's insert trigger subtracts the amount from the cycle in this transaction.
    insert into public.contributions_ledger (
        ikimina_id, member_id, amount, currency, cycle_yyyymm, source, reverses_id,
        reversed_txn_id, txn_generation, inbox_id, parsed_id, meta
    )
    values (
        v_original.ikimina_id, v_original.member_id, -v_original.amount, v_original.currency,
        v_original.cycle_yyyymm, 'correction', v_original.id,
        v_original.txn_id, v_original.txn_generation, v_original.inbox_id, v_original.parsed_id,
        jsonb_build_object(
            'reverses_id', v_original.id,
            'original_source', v_original.source,
            'original_txn_id', v_original.txn_id,
            'inbox_id', v_original.inbox_id,
            'parsed_id', v_original.parsed_id,
            'reason', p_reason
        )
    )
    returning * into v_correction;

    select * into v_cycle_after from public.contribution_cycles
    where ikimina_id = v_original.ikimina_id and yyyymm = v_original.cycle_yyyymm;

    perform public._audit(
        'ledger_reverse', 'contributions_ledger', p_ledger_id::text, p_reason,
        jsonb_build_object(
            'entry', to_jsonb(v_original),
            'cycle', case when v_cycle_before.ikimina_id is not null then to_jsonb(v_cycle_before) end
        ),
        jsonb_build_object(
            'entry', to_jsonb(v_original), 'correction', to_jsonb(v_correction),
            'cycle', to_jsonb(v_cycle_after)
        )
    );
    return v_correction;
end;
$$;

comment on function ledger_reverse(bigint, text) is
'DBA: undo a ledger entry by appending its exact negation (source correction, reverses_id = the '
'entry, reversed_txn_id and txn_generation = its payment); the cycle total drops in the same '
'transaction. Refuses corrections and entries already reversed. Audited with the reason. The '
'payment can then be credited again with ledger_recredit().';
