create or replace function _momo_drain_running()
returns boolean
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
    -- momo_allocator_drain() holds this advisory lock, shared, while it runs. Read
    -- from pg_locks, not by trying the lock: a try would itself hold it for a moment.
    select exists (
        select
        from pg_locks as l
        cross join (
            select hashtextextended('momo_allocator_drain', 0) as k
        ) as key
        where
            l.locktype = 'advisory'
            and l.mode = 'ShareLock'
            and l.granted
            and l.objsubid = 1
            and l.database = (select d.oid from pg_database as d where d.datname = current_database())
            and l.classid = ((key.k >> 32) & 4294967295)::oid
            and l.objid = (key.k & 4294967295)::oid
    );
$$;

comment on function _momo_drain_running() is
'True while some session runs momo_allocator_drain() (it holds a shared advisory lock on '
'hashtextextended(''momo_allocator_drain'', 0)); what momo_allocator_assist() follows.';
