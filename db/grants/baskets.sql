-- Privileges for the Baskets module: ingest, parse, allocate, ledger and cycles
-- (db/functions/baskets, db/views/baskets). Applied after reset.sql and
-- common.sql: each role gets exactly its surface.

-- Ingest: only the storing functions (one SMS, or several in one transaction).
grant execute on function momo_sms_ingest(text, text, text, text, jsonb, text, text, text)
to app_ingest;
grant execute on function momo_sms_ingest_batch(momo_sms_delivery[]) to app_ingest;

-- DBAs read everything in the Baskets tables to investigate, and change
-- nothing except through functions.
grant select on
profiles, ibimina, ibimina_members, momo_sms_inbox, momo_parsed_txns, momo_unmatched,
contributions_ledger, contribution_cycles, momo_balance_holds, momo_balance_history
to app_dba;

-- Analysts and DBAs read the balance chain's breaks (monitoring.balance_gaps).
grant execute on function _momo_balance_gaps(interval) to app_analyst, app_dba;

-- DBAs keep the operator senders (each change audited by its trigger).
grant select, insert, update, delete on momo_provider_senders to app_dba;

-- Parsing for inspection (the allocator's own grants: allocator.sql).
grant execute on function momo_parse_sms(text, timestamptz) to app_allocator, app_dba;

-- DBAs add and switch SMS formats (constraints check each against its sample).
grant select, insert on momo_sms_formats to app_dba;
grant update (enabled, priority, description) on momo_sms_formats to app_dba;
-- the generated columns and check constraints of momo_sms_formats call these on insert/update
grant execute on function
_regex_group_names(text), _regex_strip_group_names(text), _regex_captures(text, text),
_regex_first_match(text[], text[], text[]), _regex_first_match_postgres(text[], text[], text[]),
_regex_engine()
to app_dba;
-- the Perl matcher exists only where plperl is installed (_regex_first_match_perl.sql)
do $grant$
begin
    if to_regprocedure('public._regex_first_match_perl(text[], text[], text[])') is not null then
        grant execute on function _regex_first_match_perl(text[], text[], text[]) to app_dba;
    end if;
end
$grant$;
