#!/usr/bin/env bash
# The first allocated payment, end to end, against the running `make run` server:
# a demo group with one member (and, where the schema has collection accounts,
# the demo phone as the group's collection account), two payments from that
# member in MTN's own wording posted to the ingest hook, pg_cron's allocator
# (every minute), and the result. Run it again: it adds two more payments.
#
# Why an anchor: MOMO_BALANCE_CHECK (hold, the default) credits a payment only
# when the balance its SMS states links to the phone's verified history
# (balance before + amount = balance after, from an SMS a person confirmed).
# A new phone has none, so on the first run the demo does what a person does
# after checking the phone's MoMo balance: it confirms the first SMS as the
# phone's anchor (balance_anchor_confirm); the second links to it. Each run
# continues the demo phone's balance from the last demo SMS, so later runs
# link without an anchor.
# Usage: scripts/demo.sh DATABASE_URL BASE_URL
set -euo pipefail
url=$1 base=$2
root=$(cd "$(dirname "$0")/.." && pwd)
account=+250788100200   # the demo collection phone (receivingAccount)
payer=250788000001      # the member's number, as MTN writes it in the SMS
psql_q=(psql -X -q -v ON_ERROR_STOP=1 -At -d "$url")

if ! curl -sf -o /dev/null "$base/healthz"; then
    echo "error: no server answers at $base. Start it first: 'make run' in another terminal, then 'make demo'." >&2
    exit 1
fi

echo "demo: the group 'Demo group' and its member Aline MUKAMANA (+$payer)"
group=$("${psql_q[@]}" <<SQL
with existing as (select id from ibimina where name = 'Demo group' order by created_at limit 1),
created as (
    insert into ibimina (name, currency) select 'Demo group', 'RWF'
    where not exists (select from existing) returning id
)
select id from existing union all select id from created;
SQL
)
"${psql_q[@]}" >/dev/null <<SQL
insert into profiles (whatsapp_e164, display_name) values ('+$payer', 'Aline MUKAMANA')
on conflict (whatsapp_e164) do nothing;
insert into ibimina_members (ikimina_id, user_id, status)
select '$group', p.user_id, 'active' from profiles as p
where p.whatsapp_e164 = '+$payer'
    and not exists (
        select from ibimina_members as m where m.ikimina_id = '$group' and m.user_id = p.user_id
    );
SQL
has_collection=$("${psql_q[@]}" -c \
    "select to_regprocedure('collection_account_add(uuid,text,text)') is not null")
if [[ "$has_collection" == t ]]; then
    echo "demo: $account collects for the Demo group (collection account)"
    "${psql_q[@]}" >/dev/null -c "select collection_account_add('$group', '$account', 'make demo')
        where not exists (select from collection_accounts where account = '$account')"
fi

# The demo phone's balance so far: the last demo SMS states it (0 before the first).
balance=$("${psql_q[@]}" -c "select coalesce((
    select substring(raw_text from 'Your new balance:([0-9]+) RWF')::numeric
    from momo_sms_inbox where ingest_source = 'demo' order by id desc limit 1), 0)")
needs_anchor=$("${psql_q[@]}" -c "select not exists (
    select from momo_parsed_txns as p join momo_balance_history as h on h.parsed_id = p.id
    where p.account = '$account')")
ids=()
for amount in 2000 3000; do
    balance=$((${balance%.*} + amount))
    local_time=$(TZ=Africa/Kigali date +'%Y-%m-%d %H:%M:%S')
    txn=$(date +%s%N | cut -c1-12)
    sms="You have received $amount RWF from Aline MUKAMANA ($payer) on your mobile money account at $local_time. Message from sender: . Your new balance:$balance RWF. Financial Transaction Id: $txn."
    answer=$(INGEST_SOURCE=demo RECEIVING_ACCOUNT=$account "$root/scripts/post_sms.sh" "$base" "$sms")
    echo "demo: posted $amount RWF (new balance $balance RWF): $answer"
    id=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["inboxId"])' "$answer") || {
        echo "error: the server refused the demo SMS (above)" >&2
        exit 1
    }
    ids+=("$id")
    sleep 1   # the second SMS is later by the time written in it
done
list=$(IFS=,; echo "${ids[*]}")

echo "demo: waiting for pg_cron's allocator (it runs every minute)..."
for _ in $(seq 1 36); do
    if [[ "$needs_anchor" == t ]] && [[ $("${psql_q[@]}" -c \
        "select outcome from momo_sms_inbox where id = ${ids[0]}") == held ]]; then
        echo "demo: a new phone: its first SMS is confirmed as the phone's balance anchor"
        "${psql_q[@]}" >/dev/null -c "select balance_anchor_confirm(${ids[0]},
            'make demo: the demo phone''s balance, as a person confirms it on the phone')"
        needs_anchor=f
    fi
    done_count=$("${psql_q[@]}" -c \
        "select count(*) from momo_sms_inbox where id in ($list) and outcome = 'allocated'")
    [[ "$done_count" == "${#ids[@]}" ]] && break
    sleep 5
done
psql -X -d "$url" -c "select i.id as inbox_id, i.outcome, i.last_error, l.amount, l.currency,
        p.display_name as member, g.name as group
    from momo_sms_inbox as i
    left join contributions_ledger as l on l.inbox_id = i.id and l.reverses_id is null
    left join ibimina_members as m on m.id = l.member_id
    left join profiles as p on p.user_id = m.user_id
    left join ibimina as g on g.id = l.ikimina_id
    where i.id in ($list) order by i.id"
if [[ "$done_count" != "${#ids[@]}" ]]; then
    echo "error: not allocated within 3 minutes. Is pg_cron's job running? psql $url -c 'select * from monitoring.cron_jobs'" >&2
    exit 1
fi
echo "demo: allocated. The member's month: psql $url -c 'select * from contribution_cycles order by updated_at desc limit 3'"
