create or replace function _momo_alloc_resolve()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- All in one pass.
    with pending as (
        select
            array_agg(x.inbox_id order by x.inbox_id) as ids,
            array_agg(x.msisdn_e164 order by x.inbox_id) as msisdns,
            array_agg(x.sender_note order by x.inbox_id) as notes,
            array_agg(x.account order by x.inbox_id) as accounts,
            array_agg(x.sender_name order by x.inbox_id) as names,
            array_agg(x.msisdn_suffix order by x.inbox_id) as suffixes
        from momo_alloc_work as x
        where x.outcome is null
    )

    update momo_alloc_work as w
    set
        member_id = r.member_id,
        ikimina_id = r.ikimina_id,
        group_currency = r.group_currency,
        matched_by = r.matched_by,
        outcome = case when r.member_id is null then 'unmatched' end,
        reason = r.reason,
        detail = r.detail,
        candidates = r.candidates
    from pending as p
    cross join lateral _momo_resolve_members(p.msisdns, p.notes, p.accounts, p.names, p.suffixes) as r
    where w.inbox_id = p.ids[r.ord];

    update momo_alloc_work
    set
        outcome = 'unmatched',
        reason = 'currency_mismatch',
        detail = format('the SMS is in %s but the group keeps %s', currency, group_currency)
    where outcome is null and currency is distinct from group_currency;

    -- Hints for the cases a person will look at.
    update momo_alloc_work as w
    set suggested_member_id = _momo_suggest_member(
        w.msisdn_suffix, w.sender_name,
        (select a.ikimina_id from collection_accounts as a where a.account = w.account)
    )
    where w.outcome = 'unmatched' and w.msisdn_suffix is not null;
end;
$$;

comment on function _momo_alloc_resolve() is
'Allocation stage, resolve the member: the SMS of momo_alloc_work still without an outcome get '
'their member and group (_momo_resolve_members: within the group of the receiving collection '
'account, if any), or become unmatched (no member, or a currency the group does not keep) with '
'the candidates of a masked payer; unmatched SMS with a masked number get a suggested member.';
