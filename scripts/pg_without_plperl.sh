#!/usr/bin/env bash
# Starts (creating on first use) a local PostgreSQL 15 cluster on which PL/Perl
# cannot be installed, as on managed services that offer pg_cron but not plperl,
# and makes sure its database exists. Prints the database URL last.
# Usage: scripts/pg_without_plperl.sh NAME DBNAME DEFAULT_PORT [PORT]
#
# The package cannot be removed from a machine that also runs the other
# clusters, so this one runs on a private copy of the installation without
# PL/Perl's extension files: PostgreSQL finds its share directory relative to
# the postgres binary it runs (a copy, not a symlink, which it would resolve),
# so a copy of bin/ next to a share/ that lacks plperl*.control leaves plperl
# out of pg_available_extensions and makes `create extension plperl` fail.
# Libraries come from the real installation (a symlink): pg_cron loads as usual.
set -euo pipefail
name=$1
root=$(cd "$(dirname "$0")/.." && pwd)
real_bin=/usr/lib/postgresql/15/bin
real_lib=/usr/lib/postgresql/15/lib
real_share=/usr/share/postgresql/15
source "$root/scripts/pg_home.sh"
copy="$(cluster_home "$name")/$name-installation"
bindir="$copy/lib/postgresql/15/bin"
# Rebuilt when the installed server changes (a package upgrade).
if ! cmp -s "$real_bin/postgres" "$bindir/postgres" 2>/dev/null; then
    rm -rf "$copy"
    mkdir -p "$bindir" "$copy/share/postgresql/15/extension"
    cp "$real_bin/postgres" "$real_bin/initdb" "$real_bin/pg_ctl" "$bindir/"
    ln -s "$real_lib" "$copy/lib/postgresql/15/lib"
    for entry in "$real_share"/*; do
        [[ "$(basename "$entry")" == extension ]] || ln -s "$entry" "$copy/share/postgresql/15/"
    done
    for file in "$real_share"/extension/*; do
        [[ "$(basename "$file")" == *plperl* ]] || ln -s "$file" "$copy/share/postgresql/15/extension/"
    done
    [[ $(id -u) -ne 0 ]] || chown -R -h postgres:postgres "$copy"
fi
PG_BINDIR="$bindir" exec "$root/scripts/pg_local.sh" "$@"
