create or replace function _momo_allocator_paused()
returns momo_allocator_control
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    select c.* from public.momo_allocator_control as c where c.paused;
$$;

comment on function _momo_allocator_paused() is
'The pause row while the allocator is paused (momo_allocator_pause), else null.';
