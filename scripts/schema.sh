#!/usr/bin/env bash
# Prints db/schema.sql as it should be: migrates a fresh temporary database on
# the server of DATABASE_URL (scripts/migrate.sh), dumps it normalised
# (scripts/schema_dump.sh) and drops it. `make schema` writes the output to
# db/schema.sql.
# Usage: scripts/schema.sh DATABASE_URL
set -euo pipefail
url=$1
root=$(cd "$(dirname "$0")/.." && pwd)
db="baskets_schema_$$"
scratch=$(python3 -c 'import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p._replace(path="/" + sys.argv[2]).geturl())' "$url" "$db")

psql -X -q -v ON_ERROR_STOP=1 -d "$url" -c "create database $db" >/dev/null
trap 'psql -X -q -d "$url" -c "drop database if exists $db with (force)" >/dev/null' EXIT
if ! output=$("$root/scripts/migrate.sh" "$scratch" 2>&1); then
    echo "$output" >&2
    echo "error: migrating a fresh database failed (above)" >&2
    exit 1
fi
"$root/scripts/schema_dump.sh" "$scratch"
