#!/usr/bin/env bash
# Applies pending migrations with pgmigrate, then (re-)applies db/functions,
# db/views and db/grants. pgmigrate runs its afterAll callbacks only when a
# migration is pending; when none is, this script applies the same files itself
# in one transaction, so changing a function file is enough to deploy it.
# Usage: scripts/migrate.sh DATABASE_URL
set -euo pipefail
shopt -s nullglob
url=$1
root=$(cd "$(dirname "$0")/.." && pwd)
pgmigrate=${PGMIGRATE:-$root/.venv/bin/pgmigrate}
cd "$root/db"

pending=$("$pgmigrate" -c "$url" -t latest -o info 2>/dev/null | grep -c '"installed_on": null' || true)
if [[ "$pending" -gt 0 ]]; then
    echo "Applying $pending migration(s) and the functions, views and grants"
    "$pgmigrate" -c "$url" -t latest --disable_schema_check migrate
else
    echo "No pending migration; re-applying functions, views and grants"
    files=()
    for dir in functions views grants; do
        for f in "$dir"/*.sql; do files+=(-f "$f"); done
    done
    PGOPTIONS='-c check_function_bodies=off -c client_min_messages=warning' \
        psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$url" "${files[@]}" >/dev/null
fi
