#!/usr/bin/env bash
# Static check of every PL/pgSQL function (plpgsql_check, warnings included),
# run by `make lint`: migrates a fresh lint database on the given server (it
# must be the server's cron.database_name: functions that read pg_cron's tables
# are checked against them; `make lint` uses its own small cluster), runs
# scripts/plpgsql_check.sql in it, prints each finding not accepted by
# db/lint/plpgsql_check_allowed.txt and fails if there is one (or a stale
# allow-list entry). The database is left for a look afterwards and dropped at
# the next run. It checks whatever functions the migration creates, so a new
# function file is checked without any list to update.
# Usage: scripts/plpgsql_check.sh DATABASE_URL   (the database is dropped and made again)
set -euo pipefail
url=$1
root=$(cd "$(dirname "$0")/.." && pwd)
server=${url%/*}
lint_db=${url##*/}
psql_=(psql -X -q -v ON_ERROR_STOP=1)

"${psql_[@]}" -d "$server/postgres" -c "set client_min_messages = warning" \
    -c "drop database if exists \"$lint_db\" with (force)" -c "create database \"$lint_db\""
# The matcher the server offers (PL/Perl where it has it), whatever the caller's setting.
env -u MOMO_REGEX_ENGINE -u PGOPTIONS "$root/scripts/migrate.sh" "$server/$lint_db" >/dev/null
allowed=$(grep -v -e '^#' -e '^[[:space:]]*$' "$root/db/lint/plpgsql_check_allowed.txt" || true)
report=$(env -u PGOPTIONS "${psql_[@]}" -d "$server/$lint_db" -v allowed="$allowed" \
    -f "$root/scripts/plpgsql_check.sql")
if [[ -n "$report" ]]; then
    echo "plpgsql_check found (fix it, or accept it with a reason in db/lint/plpgsql_check_allowed.txt):" >&2
    echo "$report" | sed 's/^/    /' >&2
    exit 1
fi
count=$("${psql_[@]}" -At -d "$server/$lint_db" -c \
    "select count(*) from pg_proc as p inner join pg_language as l on p.prolang = l.oid
     where l.lanname = 'plpgsql' and p.pronamespace::regnamespace::text in ('public', 'monitoring')")
echo "plpgsql_check: $count PL/pgSQL functions, no finding"
