create or replace function _momo_alloc_balance_check()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_balance_check text := _setting('MOMO_BALANCE_CHECK');
    v_linked bigint [];
begin
    if v_balance_check = 'off' then
        return;
    end if;
    -- One pass over the stretches of history around this batch's credits: the
    -- balance-stating SMS in them that link (held credits of earlier runs too).
    select coalesce(array_agg(l.parsed_id) filter (where l.linked), '{}')
    into v_linked
    from _momo_balance_links(array(
        select w.parsed_id
        from momo_alloc_work as w
        inner join momo_sms_formats as f on w.format = f.name
        where w.outcome is null and 'balance' = any(f.field_names)
    )) as l;

    update momo_alloc_work as w
    set
        balance_verified = false,
        outcome = case when v_balance_check = 'hold' then 'held' end,
        reason = case when v_balance_check = 'hold' then 'balance_unverified' else w.reason end
    from momo_sms_formats as f
    where
        w.outcome is null and w.format = f.name and 'balance' = any(f.field_names)
        and not exists (select from unnest(v_linked) as l (parsed_id) where l.parsed_id = w.parsed_id);

    insert into momo_balance_holds (
        inbox_id, parsed_id, account, ikimina_id, member_id, matched_by
    )
    select w.inbox_id, w.parsed_id, w.account, w.ikimina_id, w.member_id, w.matched_by
    from momo_alloc_work as w
    where w.outcome = 'held';

    perform _momo_alloc_release_linked(v_linked);
end;
$$;

comment on function _momo_alloc_balance_check() is
'Allocation stage, check the balance chain (MOMO_BALANCE_CHECK): a credit of momo_alloc_work whose '
'stated balance does not link to its neighbours (_momo_balance_links) is held in '
'momo_balance_holds (hold) or posted with balance_verified false (flag); credits held by earlier '
'runs that this batch links join the batch (_momo_alloc_release_linked).';
