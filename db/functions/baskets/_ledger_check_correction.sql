create or replace function _ledger_check_correction()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_original contributions_ledger;
begin
    select * into v_original from contributions_ledger where id = new.reverses_id;
    if v_original.source = 'correction' then
        raise exception 'ledger entry % is itself a correction and cannot be reversed', v_original.id
            using errcode = 'MM409';
    end if;
    if new.amount <> -v_original.amount
        or new.member_id <> v_original.member_id
        or new.ikimina_id <> v_original.ikimina_id
        or new.cycle_yyyymm <> v_original.cycle_yyyymm
        or new.currency <> v_original.currency
        or new.reversed_txn_id is distinct from v_original.txn_id
        or new.txn_generation <> v_original.txn_generation then
        raise exception 'a correction must exactly negate ledger entry %', v_original.id
            using errcode = 'MM400';
    end if;
    return new;
end;
$$;

comment on function _ledger_check_correction() is
'Trigger function: a correction row reverses a non-correction entry exactly (same member, '
'group, cycle and currency, negated amount) and names its payment (reversed_txn_id, '
'txn_generation).';

create or replace trigger contributions_ledger_correction_check
before insert on contributions_ledger
for each row when (new.reverses_id is not null)
execute function _ledger_check_correction();
