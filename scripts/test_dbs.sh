#!/usr/bin/env bash
# Starts (creating on first use) and migrates one test cluster per pytest worker,
# all at once, and prints their database URLs, space separated, on the last line.
# `make test` runs the suite on that many pytest-xdist workers and
# tests/conftest.py gives worker gwN the Nth URL. Each worker needs a cluster of
# its own: every test resets the database, and pg_cron runs jobs in one database
# per cluster (cron.database_name), so two workers cannot share one.
# Usage: scripts/test_dbs.sh WORKERS [DBNAME]   (DBNAME: baskets_test)
# Cluster 1 is `test` (default port 54321, TEST_PGPORT forces one, as for
# `make test-db`); cluster n > 1 is `testN` (default port 54324+n, clear of
# the noperl and lint clusters' 54323 and 54325; TESTN_PGPORT forces one).
set -euo pipefail
workers=${1:-1} dbname=${2:-baskets_test}
root=$(cd "$(dirname "$0")/.." && pwd)
if ! [[ "$workers" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: TEST_WORKERS must be a positive whole number, not '$workers'" >&2
    exit 1
fi

out=$(mktemp -d)
trap 'rm -rf -- "$out"' EXIT
pids=()
for n in $(seq 1 "$workers"); do
    if [[ $n -eq 1 ]]; then name=test default=54321; else name=test$n default=$((54324 + n)); fi
    variable="${name^^}_PGPORT"
    (
        url=$("$root/scripts/pg_local.sh" "$name" "$dbname" "$default" "${!variable:-}" | tail -n 1)
        "$root/scripts/migrate.sh" "$url" >/dev/null
        echo "$url" >"$out/$n"
    ) &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
done
[[ $failed -eq 0 ]] || exit 1
urls=()
for n in $(seq 1 "$workers"); do
    urls+=("$(cat "$out/$n")")
done
echo "${urls[*]}"
