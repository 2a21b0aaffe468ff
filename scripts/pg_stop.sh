#!/usr/bin/env bash
# Stops the project-local clusters (all of them, or the one named).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
for datadir in "$root"/.pgdata/${1:-*}/; do
    [[ -f "$datadir/PG_VERSION" ]] || continue
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$bindir/pg_ctl" -D "$datadir" -m fast stop || true
    else
        "$bindir/pg_ctl" -D "$datadir" -m fast stop || true
    fi
done
