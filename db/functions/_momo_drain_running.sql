create or replace function _momo_drain_running()
returns boolean
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
    -- momo_allocator_drain() holds this advisory lock, shared, while it runs.
    v_key constant bigint := hashtextextended('momo_allocator_drain', 0);
begin
    if pg_try_advisory_lock(v_key) then
        perform pg_advisory_unlock(v_key);
        return false;
    end if;
    return true;
end;
$$;

comment on function _momo_drain_running() is
'True while some session runs momo_allocator_drain() (it holds a shared advisory lock on '
'hashtextextended(''momo_allocator_drain'', 0)); what momo_allocator_assist() follows.';
