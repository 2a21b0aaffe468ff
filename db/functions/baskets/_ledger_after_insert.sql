create or replace function _ledger_after_insert()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- One upsert per (group, month), in key order so that parallel allocators
    -- lock cycle rows in the same order and never deadlock.
    perform _ledger_cycle_upsert(g.ikimina_id, g.cycle_yyyymm, g.total)
    from (
        select n.ikimina_id, n.cycle_yyyymm, sum(n.amount) as total
        from new_rows as n
        group by n.ikimina_id, n.cycle_yyyymm
        order by n.ikimina_id, n.cycle_yyyymm
    ) as g;
    return null;
end;
$$;

comment on function _ledger_after_insert() is
'Statement trigger: adds every new ledger row to its contribution cycle in the same transaction.';

create or replace trigger contributions_ledger_cycle_totals
after insert on contributions_ledger
referencing new table as new_rows
for each statement execute function _ledger_after_insert();
