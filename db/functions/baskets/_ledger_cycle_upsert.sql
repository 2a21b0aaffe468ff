create or replace function _ledger_cycle_upsert(
    p_ikimina_id uuid,
    p_yyyymm integer,
    p_amount numeric
)
returns contribution_cycles
language sql
set search_path = pg_catalog, public, pg_temp
as $$
    insert into contribution_cycles as c (ikimina_id, yyyymm, collected_amount)
    values (p_ikimina_id, p_yyyymm, p_amount)
    on conflict (ikimina_id, yyyymm) do update
        set collected_amount = c.collected_amount + excluded.collected_amount,
            updated_at = now()
    returning c.*;
$$;

comment on function _ledger_cycle_upsert(uuid, integer, numeric) is
'Adds an amount to a group''s monthly cycle total, creating the cycle if needed. Called only '
'by the ledger insert trigger, so collected_amount always equals the ledger sum.';
