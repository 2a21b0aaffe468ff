#!/usr/bin/env bash
# Benchmarks SMS ingest through the real server: gunicorn with api/gunicorn_conf.py and
# the worker count `make run` uses, HMAC signatures on, driven by wrk from 127.0.0.1.
#
# 1. Empties the inbox and what hangs off it (the benchmark database is scratch),
#    starts the server: the app plus a bare POST /bench/ceiling (bench/app.py).
# 2. Warms both endpoints up, then measures the ceiling: the same server answering
#    {"ok":true} without touching the database.
# 3. Measures POST /functions/v1/momo-sms-hook with unique signed SMS, each sent once.
# 4. Measures POST /functions/v1/momo-sms-hook/sms-gate with unique sms-gate events,
#    signed as sms-gate signs them (body + X-Timestamp). Before each measured run the
#    inbox is vacuumed and analyzed and a checkpoint taken, so both start alike.
# 5. Measures the spec route once more, so the sms-gate run is compared with the mean
#    of the spec runs before and after it (drift and run order cancel out).
# 6. Prints requests/s, latency percentiles, the ratios to the ceiling (and of the
#    sms-gate route to the spec route), and checks that every 200 is a row in the
#    inbox (bench/ingest_report.py). Stops the server.
#
# Usage: DATABASE_URL=... bench/ingest.sh    (make bench-ingest sets it: bench cluster)
# Knobs: WORKERS, GUNICORN_THREADS, DB_POOL_SIZE (the server's), BENCH_CONNECTIONS (16),
#        BENCH_DURATION (10s), BENCH_WRK_THREADS (1), BENCH_REQUESTS (SMS to pre-generate;
#        by default enough for the ceiling's rate over the whole run, never repeated),
#        BENCH_INBOX_ROWS (0: rows of processed SMS to fill the emptied inbox with first,
#        e.g. 5000000 for a dedupe index larger than shared_buffers; the fill, vacuum and
#        checkpoint take about 6 minutes on 2 cores).
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must name the benchmark database (make bench-ingest sets it)}"
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=$root/.venv/bin/python
gunicorn=$root/.venv/bin/gunicorn

workers=${WORKERS:-$(make -s --no-print-directory -f Makefile print-workers)}
connections=${BENCH_CONNECTIONS:-16}
duration=${BENCH_DURATION:-10s}
wrk_threads=${BENCH_WRK_THREADS:-1}
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
hook=/functions/v1/momo-sms-hook

work=$root/.bench/ingest
rm -rf "$work"
mkdir -p "$work"
run_id=$(date -u +%Y%m%d%H%M%S)-$$
MOMO_SMS_HMAC_SECRET=$("$python" -c 'import secrets; print(secrets.token_hex(32))')
MOMO_SMS_GATEWAY_SECRET_SMS_GATE=$("$python" -c 'import secrets; print(secrets.token_hex(32))')
export MOMO_SMS_HMAC_SECRET MOMO_SMS_GATEWAY_SECRET_SMS_GATE

"$python" bench/ingest_requests.py 5000 "$work/warmup.txt" "warmup-$run_id"

# Start from the same state every run: earlier runs' rows would otherwise grow
# the inbox (and its random-order hash index) run after run. The benchmark
# database is scratch; make bench-allocate empties the same tables.
psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" >/dev/null <<'SQL'
begin;
set local session_replication_role = replica; -- past the append-only guards
truncate momo_unmatched, contributions_ledger, contribution_cycles, momo_parsed_txns,
    momo_sms_inbox restart identity cascade;
commit;
SQL
inbox_rows=${BENCH_INBOX_ROWS:-0}
if ((inbox_rows > 0)); then
    echo "Filling the inbox with $inbox_rows processed SMS first (BENCH_INBOX_ROWS)"
    psql -X -q -v ON_ERROR_STOP=1 -v rows="$inbox_rows" -d "$DATABASE_URL" >/dev/null <<'SQL'
insert into momo_sms_inbox (
    hash, raw_text, msisdn_raw, received_at, ingest_source, processed_at, outcome
)
select
    encode(sha256(convert_to('bench-fill-' || g, 'UTF8')), 'hex'),
    'You have received 7,500 RWF from BENCH FILL (*********' || g % 1000 || ') at '
    || 'your mobile money account. Ref: FILL' || g,
    '+250788' || lpad((g % 1000000)::text, 6, '0'),
    now() - interval '1 second' * g,
    'bench-fill',
    now(),
    'skipped'
from generate_series(1, :rows) as g;
vacuum analyze momo_sms_inbox;
checkpoint;
SQL
fi

# Measure ingest alone: the allocator job would parse the bench's own rows on
# the same two cores during the run. It is switched back on afterwards.
allocator_job() {
    psql -X -q -d "$DATABASE_URL" -c \
        "select cron.alter_job(jobid, active := $1) from cron.job where jobname = 'momo-allocator'" \
        >/dev/null
}

worker_class=$("$python" -c 'import runpy; print(runpy.run_path("api/gunicorn_conf.py")["worker_class"])')
echo "Starting gunicorn on $base: $workers $worker_class workers (api/gunicorn_conf.py)"
"$gunicorn" --config api/gunicorn_conf.py --bind "127.0.0.1:$port" \
    --workers "$workers" 'bench.app:create_app()' 2>"$work/server.log" &
server=$!
stop_server() {
    if kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server"
        wait "$server" 2>/dev/null || true
    fi
}
trap 'stop_server; allocator_job true' EXIT
allocator_job false

get() { # URL -> prints the body; fails unless 200
    "$python" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null
}
for _ in $(seq 100); do
    get "$base/healthz" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
done
get "$base/healthz" >/dev/null || { echo "server did not come up" >&2; exit 1; }
echo "readyz: $(get "$base/readyz" || echo 'not ready (503)')"

# run NAME PATH REQUESTS_FILE DURATION CYCLE [FORMAT]: one wrk run, facts in $work/NAME.json
run() {
    BENCH_RESULT="$work/$1.json" BENCH_CYCLE=$5 BENCH_FORMAT=${6:-spec} wrk --latency -t "$wrk_threads" \
        -c "$connections" -d "$4" -s bench/ingest.lua "$base$2" -- "$3" "$wrk_threads" \
        >"$work/$1.wrk.txt"
}

echo "Warming up (ingest, then ceiling)"
run warmup-ingest "$hook" "$work/warmup.txt" 3s 1
run warmup-ceiling /bench/ceiling "$work/warmup.txt" 2s 1

echo "Measuring the ceiling: POST /bench/ceiling, $connections connections, $duration"
run ceiling /bench/ceiling "$work/warmup.txt" "$duration" 1

# Enough unique SMS for the ingest run even at the ceiling's rate, plus a margin.
request_count=${BENCH_REQUESTS:-$("$python" -c '
import json, sys
c = json.load(open(sys.argv[1]))
secs = float(sys.argv[2].rstrip("s")) * (60 if sys.argv[2].endswith("m") else 1)
print(int(c["requests"] / (c["duration_us"] / 1e6) * secs * 1.3) + 2000)
' "$work/ceiling.json" "$duration")}
echo "Generating $request_count unique signed SMS deliveries"
"$python" bench/ingest_requests.py "$request_count" "$work/requests.txt" "$run_id"

# Each measured run starts from a settled database: the rows the runs before it
# stored vacuumed and analyzed and their WAL checkpointed, so neither autovacuum
# nor a checkpoint lands in one run and not the other (the sms-gate run follows
# tens of thousands of fresh inserts; without this it paid for them).
settle() {
    psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c 'vacuum (analyze) momo_sms_inbox' \
        -c 'checkpoint' >/dev/null
}

settle
before=$("$python" bench/ingest_report.py count)
echo "Measuring ingest: POST $hook, $connections connections, $duration, unique signed SMS"
run ingest "$hook" "$work/requests.txt" "$duration" 0
after=$("$python" bench/ingest_report.py count)

echo "Generating $request_count unique signed sms-gate events"
"$python" bench/ingest_requests.py --format sms-gate "$request_count" "$work/sms-gate.txt" "gw-$run_id"
"$python" bench/ingest_requests.py --format sms-gate 3000 "$work/sms-gate-warmup.txt" "gw-warmup-$run_id"
run warmup-sms-gate "$hook/sms-gate" "$work/sms-gate-warmup.txt" 2s 0 sms-gate
settle
before_gateway=$("$python" bench/ingest_report.py count)
echo "Measuring the sms-gate route: POST $hook/sms-gate, $connections connections, $duration"
run sms-gate "$hook/sms-gate" "$work/sms-gate.txt" "$duration" 0 sms-gate
after_gateway=$("$python" bench/ingest_report.py count)

# The spec route once more: the sms-gate run is compared with the mean of the spec
# runs before and after it, so a machine that drifts (or a second run that pays for
# the first one's rows) does not decide the ratio.
echo "Generating $request_count more unique signed SMS deliveries"
"$python" bench/ingest_requests.py "$request_count" "$work/requests-again.txt" "again-$run_id"
settle
before_again=$("$python" bench/ingest_report.py count)
echo "Measuring ingest again: POST $hook, $connections connections, $duration"
run ingest-again "$hook" "$work/requests-again.txt" "$duration" 0

stop_server
status=0
"$python" bench/ingest_report.py report --before "$before" --after "$after" \
    --requests "$work/requests.txt" --ceiling "$work/ceiling.json" --ingest "$work/ingest.json" \
    --path "$hook" || status=1
"$python" bench/ingest_report.py report --before "$before_again" \
    --requests "$work/requests-again.txt" --ceiling "$work/ceiling.json" \
    --ingest "$work/ingest-again.json" --path "$hook" || status=1
"$python" bench/ingest_report.py report --before "$before_gateway" --after "$after_gateway" \
    --format sms-gate --requests "$work/sms-gate.txt" --ceiling "$work/ceiling.json" \
    --ingest "$work/sms-gate.json" --spec "$work/ingest.json" --spec "$work/ingest-again.json" \
    --path "$hook/sms-gate" || status=1
exit $status
