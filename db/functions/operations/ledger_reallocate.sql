create or replace function ledger_reallocate(p_ledger_id bigint, p_member_id uuid, p_reason text)
returns contributions_ledger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_member_id uuid;
begin
    select l.member_id into v_member_id from public.contributions_ledger as l where l.id = p_ledger_id;
    if v_member_id = p_member_id then
        raise exception 'ledger entry % is already credited to member %', p_ledger_id, p_member_id
            using errcode = 'MM409', column = 'p_member_id', hint = 'Nothing to move.';
    end if;
    -- One transaction: the reversal and the new credit commit together or not at all.
    -- ledger_reverse locks the entry, so of two concurrent reallocations one waits
    -- and is then refused (already reversed).
    perform public.ledger_reverse(p_ledger_id, p_reason);
    return public.ledger_recredit(p_ledger_id, p_member_id, p_reason);
end;
$$;

comment on function ledger_reallocate(bigint, uuid, text) is
'DBA: move a payment credited to the wrong member to the right one in one transaction: '
'ledger_reverse() of the entry, then ledger_recredit() of the same payment to p_member_id. '
'Returns the new entry; writes the two audit rows (ledger_reverse, ledger_recredit) with the reason.';
