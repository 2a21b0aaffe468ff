-- Run by scripts/plpgsql_check.sh in a freshly migrated lint database (the
-- lint cluster's cron.database_name, so pg_cron's tables exist): every
-- PL/pgSQL function of the project's schemas through plpgsql_check, all its
-- warnings on (performance, extra, security and compatibility too). Prints one
-- line per finding that the allow-list (psql variable :allowed, the lines of
-- db/lint/plpgsql_check_allowed.txt) does not accept, and one per allow-list
-- entry that matches nothing.
\set ON_ERROR_STOP on
set client_min_messages = warning;
create schema plpgsql_check;
create extension plpgsql_check schema plpgsql_check;

-- The allocator's steps share a temporary table that its first step creates
-- per session: create it here, so the steps that read it are checked as they
-- run (else each would stop at its first mention of the table).
do $$ begin perform public._momo_alloc_work_open(); end $$;

create temp table findings as
select
    p.oid::regprocedure::text as function_name,
    r.lineno,
    r.level,
    r.sqlstate,
    r.message,
    r.detail,
    nullif(t.relid, 0)::regclass::text as trigger_table
from pg_proc as p
inner join pg_language as l on p.prolang = l.oid
cross join lateral (
    -- A trigger function is checked against every table whose trigger calls it.
    select tg.tgrelid as relid, tg.tgoldtable as oldtable, tg.tgnewtable as newtable
    from pg_trigger as tg
    where tg.tgfoid = p.oid
    union all
    select 0, null, null
    where p.prorettype <> 'trigger'::regtype
) as t
cross join lateral plpgsql_check.plpgsql_check_function_tb(
    p.oid, t.relid, oldtable => t.oldtable, newtable => t.newtable, all_warnings => true
) as r
where l.lanname = 'plpgsql'
    and p.pronamespace::regnamespace::text in ('public', 'monitoring')
    and not exists (
        select from pg_depend as d
        where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    )
union all
-- plpgsql_check cannot check a trigger function without a table.
select
    p.oid::regprocedure::text, null, 'error', null,
    'trigger function called by no trigger: plpgsql_check needs its table to check it',
    null, null
from pg_proc as p
where p.prorettype = 'trigger'::regtype
    and p.pronamespace::regnamespace::text in ('public', 'monitoring')
    and not exists (select from pg_trigger as tg where tg.tgfoid = p.oid);

create temp table allowed as
select split_part(a.line, ' | ', 1) as function_name, split_part(a.line, ' | ', 2) as message
from string_to_table(:'allowed', E'\n') as a (line)
where a.line <> '';

\pset format unaligned
\pset tuples_only on
select format(
    '%s%s: %s %s: %s%s%s',
    f.function_name,
    coalesce(' line ' || f.lineno, ''),
    f.level,
    coalesce(f.sqlstate, ''),
    f.message,
    coalesce(' (' || f.detail || ')', ''),
    coalesce(' [trigger on ' || f.trigger_table || ']', '')
)
from findings as f
where not exists (
    select from allowed as a
    where a.function_name = f.function_name and a.message = f.message
)
union all
select format(
    'db/lint/plpgsql_check_allowed.txt: no finding matches "%s | %s"; remove the entry',
    a.function_name, a.message
)
from allowed as a
where not exists (
    select from findings as f
    where f.function_name = a.function_name and f.message = a.message
);
