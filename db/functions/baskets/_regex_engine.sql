-- Which matcher parses SMS: Perl's engine where PL/Perl is installed (fast),
-- else PostgreSQL's. The custom setting momo.regex_engine forces one: 'perl',
-- 'postgres', or 'auto' (the default, also when unset). Set it per session,
-- per database (alter database ... set momo.regex_engine = 'postgres'; the
-- allocator's cron jobs then use it too) or for a client with
-- PGOPTIONS='-c momo.regex_engine=postgres' (MOMO_REGEX_ENGINE for the tests
-- and scripts/migrate.sh).

create or replace function _regex_engine()
returns text
language plpgsql
stable
parallel safe
as $$
declare
    v_wanted text := coalesce(nullif(current_setting('momo.regex_engine', true), ''), 'auto');
    v_perl boolean := to_regprocedure('public._regex_first_match_perl(text[], text[], text[])') is not null;
begin
    if v_wanted not in ('auto', 'perl', 'postgres') then
        raise exception 'momo.regex_engine is %, not auto, perl or postgres', v_wanted
        using errcode = 'MM400', hint = 'reset momo.regex_engine, or set it to one of those';
    end if;
    if v_wanted = 'perl' and not v_perl then
        raise exception 'momo.regex_engine is perl, but PL/Perl is not installed in this database'
        using errcode = 'MM409',
        hint = 'create extension plperl and re-run scripts/migrate.sh, or set momo.regex_engine to auto';
    end if;
    return case when v_perl and v_wanted <> 'postgres' then 'perl' else 'postgres' end;
end;
$$;

comment on function _regex_engine() is
'The SMS matcher in use: perl where PL/Perl is installed, else postgres; the setting '
'momo.regex_engine (auto, perl, postgres) forces one.';
