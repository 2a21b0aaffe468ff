create or replace function _momo_balance_walk_lock(p_accounts text[], p_wait boolean)
returns text[]
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_locked text[];
begin
    -- In one order (by key), so that two sessions locking several accounts never
    -- wait for each other in a circle.
    select coalesce(array_agg(l.account order by l.key), '{}') into v_locked
    from (
        select a.account, hashtextextended('momo_balance_walk ' || a.account, 0) as key
        from (select distinct x.account from unnest(p_accounts) as x (account)) as a
        where a.account is not null
        order by key
    ) as l
    where
        case
            when p_wait then pg_advisory_xact_lock(l.key) is not null
            else pg_try_advisory_xact_lock(l.key)
        end;
    return v_locked;
end;
$$;

comment on function _momo_balance_walk_lock(text[], boolean) is
'The balance walk''s lock of each account of p_accounts (a transaction advisory lock, taken in one '
'order): with p_wait, waits for each; without, takes those free now. Returns the accounts locked.';
