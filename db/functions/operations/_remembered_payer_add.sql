create or replace function _remembered_payer_add(
    p_case momo_unmatched,
    p_parsed momo_parsed_txns,
    p_ikimina_id uuid,
    p_member ibimina_members
)
returns remembered_payers
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_name text := public._payer_name_key(p_parsed.sender_name);
    v_suffix text;
    v_row public.remembered_payers;
begin
    if p_ikimina_id is null then
        raise exception 'SMS % was not received on a collection account: a payer is remembered for a group''s accounts',
            p_case.inbox_id
            using errcode = 'MM422', column = 'p_remember_payer',
            hint = 'Add the account first: collection_account_add(group, account, reason).';
    end if;
    v_suffix := coalesce(p_parsed.msisdn_suffix, right(p_parsed.msisdn_e164, 3));
    if p_parsed.msisdn_e164 is null and (v_name is null or v_suffix is null) then
        raise exception 'SMS % states no payer to remember (a full number, or a name of two words and visible digits)',
            p_case.inbox_id
            using errcode = 'MM422', column = 'p_remember_payer',
            hint = 'Resolve the case without p_remember_payer.';
    end if;

    -- The payer as the SMS states it: its name and visible digits (the last three of a
    -- full number), and its full number when shown; remembered already under either?
    select * into v_row
    from public.remembered_payers as r
    where
        r.ikimina_id = p_ikimina_id
        and (
            r.msisdn_e164 = p_parsed.msisdn_e164
            or (r.payer_name = v_name and r.msisdn_suffix = v_suffix)
        )
    order by r.member_id = p_member.id, r.id
    limit 1;
    if found and v_row.member_id = p_member.id then
        return v_row;
    elsif found then
        raise exception 'this payer is already remembered as paying for member % (remembered payer %)',
            v_row.member_id, v_row.id
            using errcode = 'MM409', column = 'p_remember_payer',
            hint = 'If that changed, remembered_payer_forget(id, reason) first.';
    end if;

    insert into public.remembered_payers (
        ikimina_id, msisdn_e164, payer_name, msisdn_suffix, member_id, case_id
    )
    values (
        p_ikimina_id, p_parsed.msisdn_e164, v_name,
        case when v_name is not null then v_suffix end,
        p_member.id, p_case.id
    )
    returning * into v_row;
    return v_row;
exception when unique_violation then
    raise exception 'this payer was just remembered by another session'
        using errcode = 'MM409', column = 'p_remember_payer', hint = 'See remembered_payers.';
end;
$$;

comment on function _remembered_payer_add(momo_unmatched, momo_parsed_txns, uuid, ibimina_members) is
'unmatched_resolve(..., p_remember_payer => true): remembers for group p_ikimina_id the payer of '
'the case''s SMS as it states it (normalised name and visible digits, and the full number when '
'shown) as paying '
'for p_member. Returns the row (the existing one when already remembered for that member); MM409 '
'when remembered for another member, MM422 when the SMS came to no collection account or states '
'no payer.';
