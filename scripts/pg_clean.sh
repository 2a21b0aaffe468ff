#!/usr/bin/env bash
# Stops this checkout's clusters and deletes them, wherever they live, with
# the rest of .pgdata/ (links, remembered ports).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ -d "$root/.pgdata" ]] || exit 0
"$root/scripts/pg_stop.sh"
if [[ -f "$root/.pgdata/home" ]]; then
    home=$(cat "$root/.pgdata/home")
    # Only ever a directory these scripts made for this very checkout.
    if [[ -f "$home/checkout" && "$(cat "$home/checkout")" == "$root" ]]; then
        rm -rf -- "$home"
    fi
fi
rm -rf -- "$root/.pgdata"
