#!/usr/bin/env bash
# Stops this checkout's `make run` server and its local clusters (all of them,
# or the one named), and says what it stopped.
# Usage: scripts/pg_stop.sh [NAME]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
if [[ ! -d "$root/.pgdata" ]]; then
    echo "nothing to stop: this checkout has no server and no cluster"
    exit 0
fi
stopped=0
pidfile="$root/.pgdata/server.pid"
if [[ -z "${1:-}" && -s "$pidfile" ]]; then
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        echo "stopped the API server (gunicorn, pid $pid)"
        stopped=1
    fi
    rm -f "$pidfile"
fi
source "$root/scripts/pg_home.sh"
for link in "$root"/.pgdata/${1:-*}/; do
    # The real path: the postgres user may not be able to pass through the checkout.
    datadir=$(readlink -f "$link")
    [[ -f "$datadir/PG_VERSION" ]] || continue
    name=$(basename "$link")
    port=$(as_pg sed -n 4p "$datadir/postmaster.pid" 2>/dev/null || true)
    if as_pg "$bindir/pg_ctl" -D "$datadir" -m fast stop >/dev/null 2>&1; then
        echo "stopped the PostgreSQL cluster $name${port:+ (port $port)}"
        stopped=1
    fi
done
[[ $stopped == 1 ]] || echo "nothing was running"
exit 0
