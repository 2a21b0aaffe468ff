create or replace function _momo_alloc_work_open()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- A session that made the table under an earlier shape makes it again.
    if to_regclass('pg_temp.momo_alloc_work') is not null and not exists (
        select
        from pg_attribute
        where attrelid = to_regclass('pg_temp.momo_alloc_work') and attname = 'conflicts_with'
    ) then
        drop table pg_temp.momo_alloc_work;
    end if;
    -- Per-session scratch table for one batch; emptied at every commit.
    if to_regclass('pg_temp.momo_alloc_work') is null then
        create temp table momo_alloc_work (
            -- the first columns, in this order, are what _momo_alloc_parse inserts
            inbox_id bigint primary key,
            sender text,
            account text,
            like momo_parse_row,
            genuine boolean,
            balance_verified boolean,
            parsed_id bigint,
            -- a genuine SMS whose txn id another SMS claimed: the same movement (a
            -- duplicate of that parse) or another one (a conflict with it)
            duplicate_of bigint,
            conflicts_with bigint,
            outcome text,
            reason text,
            detail text,
            member_id uuid,
            ikimina_id uuid,
            group_currency text,
            matched_by text,
            suggested_member_id uuid,
            ledger_id bigint,
            -- a credit held by an earlier run, released in this one
            released_hold boolean not null default false
        ) on commit delete rows;
    else
        delete from momo_alloc_work;
    end if;
end;
$$;

comment on function _momo_alloc_work_open() is
'Creates (once per session) or empties the temp table momo_alloc_work through which the allocation '
'steps pass one batch within one transaction: the SMS, its parse (momo_parse_row) and what each '
'step decided.';
