#!/usr/bin/env bash
# Runs a noisy setup tool with its output appended to .pgdata/setup.log; says
# what it is doing first (one line, on stderr, so it shows while the step runs
# even where stdout is captured); on failure prints what failed, the end of
# that output and where the rest is.
# Usage: scripts/quietly.sh "what it does" COMMAND [ARG ...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
what=$1
shift
mkdir -p "$root/.pgdata"
log="$root/.pgdata/setup.log"
echo "setup: $what (output in .pgdata/setup.log)" >&2
printf '\n== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$log"
if ! "$@" >>"$log" 2>&1; then
    echo "error: $what failed. Last lines of $log:" >&2
    tail -n 20 "$log" | sed 's/^/    /' >&2
    exit 1
fi
