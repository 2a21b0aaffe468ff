create or replace function _momo_alloc_work_open()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- A session that made the table under an earlier shape (a pooled session
    -- across a deploy) makes it again: its columns, names and types in order,
    -- are compared as a whole with the type momo_alloc_work_row.
    if to_regclass('pg_temp.momo_alloc_work') is not null and (
        select array_agg(row(a.attname, a.atttypid) order by a.attnum)
        from pg_attribute as a
        where a.attrelid = to_regclass('pg_temp.momo_alloc_work') and a.attnum > 0 and not a.attisdropped
    ) is distinct from (
        select array_agg(row(a.attname, a.atttypid) order by a.attnum)
        from pg_attribute as a
        where a.attrelid = 'momo_alloc_work_row'::regclass and a.attnum > 0 and not a.attisdropped
    ) then
        drop table pg_temp.momo_alloc_work;
    end if;
    -- Per-session scratch table for one batch; emptied at every commit.
    -- (The first columns, in order, are what _momo_alloc_parse inserts.) A step
    -- that needs a new column adds it to the type, in a migration:
    -- alter type momo_alloc_work_row add attribute ...; sessions then remake the table.
    if to_regclass('pg_temp.momo_alloc_work') is null then
        create temp table momo_alloc_work (
            like momo_alloc_work_row,
            primary key (inbox_id)
        ) on commit delete rows;
        alter table momo_alloc_work alter column released_hold set default false;
        alter table momo_alloc_work alter column released_hold set not null;
    else
        delete from momo_alloc_work;
    end if;
end;
$$;

comment on function _momo_alloc_work_open() is
'Creates (once per session) or empties the temp table momo_alloc_work through which the allocation '
'steps pass one batch within one transaction, one row of type momo_alloc_work_row per SMS: the '
'SMS, its parse and what each step decided. A table of another shape is made again.';
