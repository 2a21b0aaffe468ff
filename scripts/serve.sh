#!/usr/bin/env bash
# Serves the app with gunicorn after printing what a newcomer needs next: the
# URL, the demo, a command that posts a sample SMS, where to see the result and
# a monitoring call that works as printed.
# Usage: scripts/serve.sh DATABASE_URL HTTP_PORT WORKERS [local]
#   local: the checkout's own cluster (make run without DATABASE_URL). Then, when
#   MOMO_MONITORING_TOKEN is not set, a token for this checkout is made once
#   (.pgdata/monitoring_token) and used, so the printed monitoring command works.
set -euo pipefail
url=$1 port=$2 workers=$3 where=${4:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .pgdata   # the server's pid file (make stop) lives there
base="http://127.0.0.1:$port"
signed="unsigned: MOMO_SMS_HMAC_SECRET is not set"
[[ -n "${MOMO_SMS_HMAC_SECRET:-}" ]] && signed="signed with MOMO_SMS_HMAC_SECRET"

token_note=""
if [[ -z "${MOMO_MONITORING_TOKEN:-}" && "$where" == local ]]; then
    token_file=.pgdata/monitoring_token
    if [[ ! -s "$token_file" ]]; then
        (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$token_file")
    fi
    MOMO_MONITORING_TOKEN=$(cat "$token_file")
    export MOMO_MONITORING_TOKEN
    token_note="this checkout's token, kept in .pgdata/monitoring_token"
fi
if [[ -n "${MOMO_MONITORING_TOKEN:-}" && -n "$token_note" ]]; then
    monitoring="curl -H 'Authorization: Bearer $MOMO_MONITORING_TOKEN' $base/monitoring/overview"
elif [[ -n "${MOMO_MONITORING_TOKEN:-}" ]]; then
    monitoring="curl -H \"Authorization: Bearer \$MOMO_MONITORING_TOKEN\" $base/monitoring/overview"
    token_note="with MOMO_MONITORING_TOKEN exported in that shell too"
else
    monitoring="set MOMO_MONITORING_TOKEN=<a random string> for 'make run' to enable /monitoring"
    token_note="monitoring is disabled"
fi

cat <<TEXT
Serving $base against $url (Ctrl-C or 'make stop' stops it; 'make stop' also stops PostgreSQL)
Next, in another terminal in this folder:
  see a payment allocated:  make demo
      (a demo group and member, two payments posted to this server, allocated by pg_cron within a minute)
  post a sample SMS ($signed):  scripts/post_sms.sh $base
  see it in the inbox:  psql $url -c 'select id, outcome, last_error from momo_sms_inbox order by id desc limit 5'
      (pg_cron allocates every minute; the sample's payer is no member, so it ends unmatched, profile_not_found)
  monitoring:  $monitoring
      ($token_note)
TEXT
DATABASE_URL="$url" exec .venv/bin/gunicorn --config api/gunicorn_conf.py \
    --pid .pgdata/server.pid --bind "127.0.0.1:$port" --workers "$workers" 'api:create_app()'
