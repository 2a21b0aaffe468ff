#!/usr/bin/env bash
# Serves the app with gunicorn after printing what a newcomer needs next: the
# URL, a command that posts a sample SMS, and where to see the result.
# Usage: scripts/serve.sh DATABASE_URL HTTP_PORT WORKERS
set -euo pipefail
url=$1 port=$2 workers=$3
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
base="http://127.0.0.1:$port"
signed="unsigned: MOMO_SMS_HMAC_SECRET is not set"
[[ -n "${MOMO_SMS_HMAC_SECRET:-}" ]] && signed="signed with MOMO_SMS_HMAC_SECRET"
cat <<TEXT
Serving $base against $url (Ctrl-C stops; 'make stop' stops PostgreSQL)
  post a sample SMS ($signed):  scripts/post_sms.sh $base
  see it in the inbox:  psql $url -c 'select id, outcome, last_error from momo_sms_inbox order by id desc limit 5'
  monitoring:           curl -H "Authorization: Bearer \$MOMO_MONITORING_TOKEN" $base/monitoring/overview
TEXT
DATABASE_URL="$url" exec .venv/bin/gunicorn --config api/gunicorn_conf.py \
    --bind "127.0.0.1:$port" --workers "$workers" 'api:create_app()'
