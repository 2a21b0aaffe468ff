#!/usr/bin/env bash
# Chooses the TCP port one service of this checkout listens on, remembers it in
# .pgdata/ports/NAME so the printed URLs stay the same from run to run, and
# prints it. Two checkouts on one machine never silently share a port:
#  - an explicit port (VARIABLE set) that another process holds is an error
#    naming the port, its holder and the variable;
#  - a remembered or default port that another process holds is replaced by
#    the next free one, with a one-line note saying why.
# Usage: scripts/port.sh NAME DEFAULT VARIABLE [EXPLICIT] [OWN_PORT]
#   OWN_PORT: the port this checkout's own service already listens on, if it
#   runs (it holds that port, which is not a conflict).
set -euo pipefail

name=$1 default=$2 variable=$3 explicit=${4:-} own=${5:-}
root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.pgdata/ports"
mkdir -p "$state"

# True when nothing listens on 127.0.0.1:PORT (a bind is the only honest test:
# it also sees listeners on 0.0.0.0 and sockets of other users). SO_REUSEADDR,
# as the servers themselves bind: connections of a just-stopped server that
# linger in TIME_WAIT do not make its port taken.
port_free() {
    python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

# "python3 (pid 123)", plus the data directory when it is a PostgreSQL server.
holder() {
    local who
    who=$(ss -Hltnp "sport = :$1" 2>/dev/null | sed -nE 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/p' | head -n 1)
    [[ -n "$who" ]] || who="another process"
    local data
    data=$(timeout 3 psql -X -q -t -A -h 127.0.0.1 -p "$1" -U postgres -d postgres \
        -c "show data_directory" 2>/dev/null </dev/null || true)
    [[ -n "$data" ]] && who="$who, PostgreSQL with data in $data"
    echo "$who"
}

usable() { [[ "$1" == "$own" ]] || port_free "$1"; }

if [[ -n "$explicit" ]]; then
    if ! [[ "$explicit" =~ ^[0-9]+$ ]] || ((explicit < 1 || explicit > 65535)); then
        echo "error: $variable=$explicit is not a TCP port (1-65535)" >&2
        exit 1
    fi
    if ! usable "$explicit"; then
        echo "error: port $explicit ($variable) is in use by $(holder "$explicit"); stop it or choose another port, e.g. $variable=$((explicit + 10))" >&2
        exit 1
    fi
    port=$explicit
else
    port=$(cat "$state/$name" 2>/dev/null || echo "$default")
    if ! usable "$port"; then
        taken=$port
        # Steps of 10 keep clear of the neighbouring defaults (dev, test, bench).
        for ((candidate = default + 10; candidate < default + 2000; candidate += 10)); do
            if usable "$candidate"; then port=$candidate; break; fi
        done
        if [[ "$port" == "$taken" ]]; then
            echo "error: no free port near $default for $name; set $variable" >&2
            exit 1
        fi
        echo "note: port $taken is in use by $(holder "$taken"); this checkout's $name now uses $port (set $variable to choose)" >&2
    fi
fi
echo "$port" >"$state/$name"
echo "$port"
