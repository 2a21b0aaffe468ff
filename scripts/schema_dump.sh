#!/usr/bin/env bash
# Prints the normalised schema of a database, the form db/schema.sql keeps:
# pg_dump --schema-only --no-owner (PostgreSQL 15's, the server's version)
# without what changes from run to run or says nothing about the schema: the
# dump's version header, the random \restrict key, and the session SET lines.
# Privileges and comments stay; no row is dumped (pg_cron's jobs, the
# migrations' seed rows and schema_version's rows are data).
# One place for this normalisation: `make schema` and tests/test_schema_file.py.
# Usage: scripts/schema_dump.sh DATABASE_URL
set -euo pipefail
url=$1
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

cat <<'HEADER'
-- The whole current schema, generated: do not edit. `make schema` migrates a
-- fresh database (scripts/migrate.sh) and dumps it (scripts/schema_dump.sh);
-- tests/test_schema_file.py fails when the migrations and this file disagree.
-- The fresh database is not the one pg_cron is loaded for, so the pg_cron
-- extension and its jobs (V0013, V0017, V0020, V0023) are not in it.
HEADER
"$bindir/pg_dump" --schema-only --no-owner --dbname="$url" \
    | grep -v -E '^(\\(un)?restrict .*|-- Dumped (from|by) .*|SET [a-z_]+ = .*;|SELECT pg_catalog\.set_config\(.search_path., .., false\);)$'
