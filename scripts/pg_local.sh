#!/usr/bin/env bash
# Starts (creating on first use) a project-local PostgreSQL 15 cluster with
# pg_cron, and makes sure its application database exists. Idempotent.
# Usage: scripts/pg_local.sh NAME PORT DBNAME   -> prints the database URL last.
# The cluster lives in .pgdata/NAME (git-ignored), listens on 127.0.0.1 only,
# and trusts local connections: it is a development/test cluster, never production.
set -euo pipefail

name=$1 port=$2 dbname=$3
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
datadir="$root/.pgdata/$name"
logfile="$root/.pgdata/$name.log"

# PostgreSQL refuses to run as root: run its server tools as the postgres user.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$root/.pgdata"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$root/.pgdata"
    chmod 0755 "$root/.pgdata"
fi

if [[ ! -f "$datadir/PG_VERSION" ]]; then
    echo "Creating PostgreSQL cluster in $datadir"
    as_pg "$bindir/initdb" -D "$datadir" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    echo "include = 'project.conf'" | as_pg tee -a "$datadir/postgresql.conf" >/dev/null
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

if ! as_pg "$bindir/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
    touch "$logfile"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$logfile"
    as_pg "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 start >/dev/null
fi

psql_admin=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)

# A package upgrade (e.g. installing postgresql-plperl-15 pulls in a newer
# postgresql-15) leaves the running server older than its libraries on disk,
# and loading an extension then fails: restart it on the installed binaries.
installed=$("$bindir/postgres" -V | awk '{print $3}')
running=$("${psql_admin[@]}" -d postgres -tAc "show server_version" | awk '{print $1}')
if [[ "$installed" != "$running" ]]; then
    echo "Restarting the $name cluster: server $running, installed binaries $installed"
    as_pg "$bindir/pg_ctl" -D "$datadir" -l "$logfile" -w -t 60 restart >/dev/null
fi
if [[ -z $("${psql_admin[@]}" -d postgres -tAc \
        "select 1 from pg_database where datname = '$dbname'") ]]; then
    "${psql_admin[@]}" -d postgres -c "create database \"$dbname\""
fi
echo "postgresql://postgres@127.0.0.1:$port/$dbname"
