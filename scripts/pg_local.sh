#!/usr/bin/env bash
# Starts (creating on first use) a project-local PostgreSQL 15 cluster with
# pg_cron, and makes sure its application database exists. Idempotent.
# Usage: scripts/pg_local.sh NAME DBNAME DEFAULT_PORT [PORT]  -> prints the database URL last.
# PORT (the NAME_PGPORT make variable) forces a port; without it the port is
# chosen and remembered per checkout by scripts/port.sh.
#
# Where the data lives: as root, the server runs as the postgres OS user, which
# may not be able to enter the checkout (root's home is mode 700, so is a
# mktemp -d), so the cluster lives in a postgres-owned directory named after
# the checkout, $PGDATA_ROOT/<checkout name>-<hash of its path>, and
# .pgdata/NAME links to it. As any other user it lives in .pgdata/NAME itself.
# Listens on 127.0.0.1 only and trusts local connections: a development/test
# cluster, never production.
set -euo pipefail

name=$1 dbname=$2 default_port=$3 explicit_port=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
variable="${name^^}_PGPORT"
source "$root/scripts/pg_home.sh"
home=$(cluster_home "$name")

datadir="$home/$name"
logfile="$home/$name.log"
if [[ "$home" != "$root/.pgdata" ]]; then
    ln -sfn "$datadir" "$root/.pgdata/$name"
    ln -sfn "$logfile" "$root/.pgdata/$name.log"
fi

# Prints the end of the cluster's log and the likely fix, then fails.
explain_failure() {
    local what=$1 fix="see the whole log: $logfile"
    echo "error: the $name cluster $what. Last lines of $logfile:" >&2
    as_pg tail -n 15 "$logfile" 2>/dev/null | sed 's/^/    /' >&2 || true
    local log
    log=$(as_pg tail -n 40 "$logfile" 2>/dev/null || true)
    case "$log" in
        *"Address already in use"* | *"could not bind"* | *"could not create any TCP/IP sockets"*)
            fix="port $port is taken; stop what holds it or choose another: make ... $variable=<port>" ;;
        *"Permission denied"*)
            fix="the postgres OS user cannot reach $datadir; check the modes of its parent directories (or set PGDATA_ROOT)" ;;
        *"lock file"*"already exists"*)
            fix="another server already uses $datadir; run 'make stop' or stop that server" ;;
        *"could not map anonymous shared memory"* | *"out of memory"* | *"Cannot allocate memory"*)
            fix="not enough memory for shared_buffers; free memory or stop other clusters ('make stop')" ;;
        *"No space left on device"*)
            fix="the disk holding $home is full" ;;
        *"could not access file"*"pg_cron"* | *"could not load library"*)
            fix="pg_cron is missing or broken: scripts/os_deps.sh installs postgresql-15-cron" ;;
    esac
    echo "likely fix: $fix" >&2
    exit 1
}

if [[ ! -f "$datadir/PG_VERSION" ]]; then
    echo "setup: creating the PostgreSQL cluster $name in $datadir" >&2
    if ! as_pg "$bindir/initdb" -D "$datadir" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$logfile.initdb" 2>&1; then
        echo "error: initdb failed for the $name cluster; its output:" >&2
        tail -n 15 "$logfile.initdb" | sed 's/^/    /' >&2
        exit 1
    fi
    echo "include = 'project.conf'" | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
fi

running_port=""
if as_pg "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
    running_port=$(as_pg sed -n 4p "$datadir/postmaster.pid")
fi
port=$("$root/scripts/port.sh" "$name" "$default_port" "$variable" "$explicit_port" "$running_port")
if [[ -n "$running_port" && "$running_port" != "$port" ]]; then
    echo "setup: restarting the $name cluster on port $port (it was on $running_port)" >&2
    as_pg "$bindir/pg_ctl" -D "$datadir" -m fast -w stop >/dev/null
    running_port=""
fi

# Rewritten on every start so that settings follow the repository.
as_pg tee "$datadir/project.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 200
shared_buffers = '512MB'
work_mem = '32MB'
maintenance_work_mem = '256MB'
max_wal_size = '4GB'
timezone = 'UTC'
shared_preload_libraries = 'pg_cron'
cron.database_name = '$dbname'
cron.use_background_workers = on
max_worker_processes = 32
log_min_duration_statement = -1
CONF

if [[ -z "$running_port" ]]; then
    echo "setup: starting the $name cluster on port $port" >&2
    as_pg touch "$logfile"
    as_pg "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 start >/dev/null 2>&1 \
        || explain_failure "did not start on port $port"
fi

psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)

# A package upgrade (e.g. installing postgresql-plperl-15 pulls in a newer
# postgresql-15) leaves the running server older than its libraries on disk,
# and loading an extension then fails: restart it on the installed binaries.
installed=$("$bindir/postgres" -V | awk '{print $3}')
running=$("${psql_admin[@]}" -d postgres -tAc "show server_version" | awk '{print $1}')
if [[ "$installed" != "$running" ]]; then
    echo "setup: restarting the $name cluster: server $running, installed binaries $installed" >&2
    as_pg "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 restart >/dev/null 2>&1 \
        || explain_failure "did not restart on port $port"
fi
if [[ -z $("${psql_admin[@]}" -d postgres -tAc \
        "select 1 from pg_database where datname = '$dbname'") ]]; then
    echo "setup: creating the database $dbname" >&2
    "${psql_admin[@]}" -d postgres -c "create database \"$dbname\""
fi
echo "postgresql://postgres@127.0.0.1:$port/$dbname"
