#!/usr/bin/env bash
# Posts one SMS to a running server's ingest hook, signed with the first of
# MOMO_SMS_HMAC_SECRET's secrets when it is set, and prints the answer.
# Usage: scripts/post_sms.sh [BASE_URL] [MESSAGE] [SENDER]
#   defaults: this checkout's `make run` address, a sample MTN MoMo payment
#   from the operator's sender M-Money.
#   INGEST_SOURCE (default make-run-sample) and RECEIVING_ACCOUNT (the collection
#   phone's number; unset: none) go into the body's ingestSource / receivingAccount.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${1:-http://127.0.0.1:$(cat "$root/.pgdata/ports/http" 2>/dev/null || echo 8000)}
stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
local_time=$(TZ=Africa/Kigali date +'%Y-%m-%d %H:%M:%S')
message=${2:-"You have received 2000 RWF from Aline MUKAMANA (250788000001) on your mobile money account at $local_time. Message from sender: . Your new balance:2000 RWF. Financial Transaction Id: $(date +%s)1."}
sender=${3:-M-Money}
body=$(python3 -c 'import json, sys
body = {"message": sys.argv[1], "msisdn": sys.argv[2], "receivedAt": sys.argv[3], "ingestSource": sys.argv[4]}
if sys.argv[5]:
    body["receivingAccount"] = sys.argv[5]
print(json.dumps(body))' "$message" "$sender" "$stamp" "${INGEST_SOURCE:-make-run-sample}" "${RECEIVING_ACCOUNT:-}")
headers=(-H 'Content-Type: application/json')
if [[ -n "${MOMO_SMS_HMAC_SECRET:-}" ]]; then
    signature=$(printf '%s' "$body" | python3 -c 'import hashlib, hmac, os, sys; key = os.environ["MOMO_SMS_HMAC_SECRET"].split(",")[0].strip(); print(hmac.new(key.encode(), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())')
    headers+=(-H "X-Signature: $signature")
fi
curl -sS -X POST "$base/functions/v1/momo-sms-hook" "${headers[@]}" --data-binary "$body"
echo
