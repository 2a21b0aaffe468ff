#!/usr/bin/env bash
# Applies pending migrations with pgmigrate, then (re-)applies the functions,
# views and grants listed in db/migrations.yml (callbacks.afterAll). pgmigrate
# runs its afterAll callbacks only when a migration is pending; when none is,
# this script applies the same files itself, in the same order (expanded by
# pgmigrate's own code from that one list), in one transaction, so changing a
# function file is enough to deploy it. Concurrent runs against one database take
# turns (an advisory lock, below).
# Usage: scripts/migrate.sh DATABASE_URL
# MOMO_REGEX_ENGINE=postgres migrates without PL/Perl even where the server
# offers it (momo.regex_engine for the migration's sessions: V0021 then neither
# installs plperl nor creates the Perl matcher); perl or auto (the default):
# PL/Perl where the server offers it.
set -euo pipefail
url=$1
if [[ -n "${MOMO_REGEX_ENGINE:-}" ]]; then
    export PGOPTIONS="${PGOPTIONS:-} -c momo.regex_engine=$MOMO_REGEX_ENGINE"
fi
root=$(cd "$(dirname "$0")/.." && pwd)
pgmigrate=${PGMIGRATE:-$root/.venv/bin/pgmigrate}
python=${PGMIGRATE_PYTHON:-$(dirname "$pgmigrate")/python}
cd "$root/db"

# One run at a time per database: two `make run`/`make db` at once re-applied the
# same functions concurrently ("tuple concurrently updated"). The script runs again
# under a session advisory lock held by a connection of its own (not pgmigrate's,
# so a NONTRANSACTIONAL migration's extra connection never waits on it); a second
# run waits for the first, then finds nothing pending.
if [[ -z "${BASKETS_MIGRATE_LOCKED:-}" ]]; then
    exec "$python" - "$url" "$root/scripts/migrate.sh" <<'PY'
import os, subprocess, sys
import psycopg2
url, script = sys.argv[1], sys.argv[2]
with psycopg2.connect(url) as conn:
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("set lock_timeout = 0")
        cur.execute("select pg_advisory_lock(hashtext('baskets: scripts/migrate.sh'))")
    env = dict(os.environ, BASKETS_MIGRATE_LOCKED="1")
    sys.exit(subprocess.call([script, url], env=env))
PY
fi

# pgmigrate silently skips files numbered below the highest applied version;
# a database ahead of this code means the two do not belong together.
latest_file=$(find migrations -name 'V*__*.sql' -printf '%f\n' | sed -E 's/^V0*([0-9]+)__.*/\1/' | sort -n | tail -n 1)
applied=$(psql -X -q -t -A -d "$url" -c \
    "select coalesce(max(version), 0) from public.schema_version" 2>/dev/null || echo 0)
if [[ "$applied" -gt "$latest_file" ]]; then
    echo "The database has migration $applied but db/migrations/ ends at $latest_file:" >&2
    echo "it was migrated by other code. Use a database made by this code." >&2
    exit 1
fi

pending=$("$pgmigrate" -c "$url" -t latest -o info 2>/dev/null | grep -c '"installed_on": null' || true)
if [[ "$pending" -gt 0 ]]; then
    echo "Applying $pending migration(s) and the functions, views and grants" >&2
    "$pgmigrate" -c "$url" -t latest --disable_schema_check --check_serial_versions migrate >&2
else
    echo "No pending migration; re-applying functions, views and grants" >&2
    # The afterAll list expanded as pgmigrate expands it (a folder: its files in name order).
    list=$("$python" -c '
import pgmigrate, yaml
with open("migrations.yml", encoding="utf-8") as config:
    callbacks = yaml.safe_load(config)["callbacks"]
print("\n".join(pgmigrate._get_callbacks(callbacks).afterAll))')
    files=()
    while IFS= read -r f; do [[ -n "$f" ]] && files+=(-f "$f"); done <<<"$list"
    if [[ ${#files[@]} -eq 0 ]]; then
        echo "db/migrations.yml lists no callbacks.afterAll files" >&2
        exit 1
    fi
    PGOPTIONS="${PGOPTIONS:-} -c check_function_bodies=off -c client_min_messages=warning" \
        psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$url" "${files[@]}" >/dev/null
fi
