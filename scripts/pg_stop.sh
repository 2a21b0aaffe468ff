#!/usr/bin/env bash
# Stops this checkout's local clusters (all of them, or the one named).
# Usage: scripts/pg_stop.sh [NAME]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
[[ -d "$root/.pgdata" ]] || exit 0
source "$root/scripts/pg_home.sh"
for link in "$root"/.pgdata/${1:-*}/; do
    # The real path: the postgres user may not be able to pass through the checkout.
    datadir=$(readlink -f "$link")
    [[ -f "$datadir/PG_VERSION" ]] || continue
    as_pg "$bindir/pg_ctl" -D "$datadir" -m fast stop >/dev/null 2>&1 || true
done
