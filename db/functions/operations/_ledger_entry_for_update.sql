create or replace function _ledger_entry_for_update(p_ledger_id bigint)
returns contributions_ledger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_entry public.contributions_ledger;
begin
    -- The row lock serialises corrections of one entry: a second, concurrent call
    -- waits, then sees the first one's rows and is refused.
    select * into v_entry from public.contributions_ledger where id = p_ledger_id for update;
    if not found then
        raise exception 'ledger entry % does not exist', p_ledger_id
            using errcode = 'MM404', hint = 'See select * from contributions_ledger order by id desc.';
    end if;
    return v_entry;
end;
$$;

comment on function _ledger_entry_for_update(bigint) is
'Correction functions: the ledger entry p_ledger_id, locked for update (so corrections of one '
'entry run one at a time); MM404 when there is no such entry.';
