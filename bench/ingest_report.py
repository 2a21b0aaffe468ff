"""Inbox counts and the final report for bench/ingest.sh.

  python bench/ingest_report.py count
      prints the number of inbox rows once it has stopped changing (requests the
      server was still handling when wrk stopped are committed by then).
  python bench/ingest_report.py report --before N --requests FILE --ceiling JSON --ingest JSON
      prints throughput and latency of both runs, and checks every acknowledged SMS
      against the database. Exit status 1 when an SMS was lost or an answer was wrong.
      --format sms-gate --spec JSON [--spec JSON]: the run was the sms-gate route's (its
      native events); it is also compared with the spec route's runs, the mean of
      their rates (target: within 10%).
      --after N: the inbox count after the run (taken before a later run added rows).

DATABASE_URL names the database the server wrote to.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from typing import Any

import psycopg

TARGET_RATIO = 0.5
TARGET_GATEWAY_RATIO = 0.9  # a gateway route within 10% of the spec route's rate
TARGET_P99_MS = 15.0


def stable_count(conn: psycopg.Connection) -> int:
    """The inbox row count, once three reads 200 ms apart agree."""
    readings: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = conn.execute("select count(*) from momo_sms_inbox").fetchone()
        readings.append(int(row[0]) if row else 0)
        if len(readings) >= 3 and len(set(readings[-3:])) == 1:
            return readings[-1]
        time.sleep(0.2)
    raise SystemExit("the inbox row count kept changing for 30 s after the run")


def sms_hash(body: dict[str, Any]) -> str:
    if "payload" in body:  # an sms-gate event: the route maps sender and receivedAt
        body = {
            "message": body["payload"]["message"],
            "msisdn": body["payload"]["sender"],
            "receivedAt": body["payload"]["receivedAt"],
        }
    text = f"{body['message']}|{body.get('msisdn') or ''}|{body.get('receivedAt') or ''}"
    return hashlib.sha256(text.encode()).hexdigest()


def run_of(body: dict[str, Any]) -> str:
    """The run id a body carries (spec: metadata.run; sms-gate: the event id's prefix)."""
    if "payload" in body:
        return str(body["id"]).split("/")[0]
    return str(body["metadata"]["run"])


def sent_bodies(path: str, sent_per_thread: list[int], fmt: str) -> list[dict[str, Any]]:
    """The bodies wrk sent: thread i of n sent lines i, i+n, ... (see bench/ingest.lua)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    n = len(sent_per_thread)
    fields = 2 if fmt == "sms-gate" else 1  # "<signature> [<timestamp>] <body>"
    return [
        json.loads(lines[i + j * n].split(" ", fields)[fields])
        for i, count in enumerate(sent_per_thread)
        for j in range(count)
    ]


def rate(run: dict[str, Any]) -> float:
    return run["requests"] / (run["duration_us"] / 1e6)


def ms(us: float) -> float:
    return us / 1000


def report(args: argparse.Namespace, conn: psycopg.Connection) -> int:
    with open(args.ceiling) as f:
        ceiling = json.load(f)
    with open(args.ingest) as f:
        ingest = json.load(f)
    specs = []
    for path in args.spec or ():
        with open(path) as f:
            specs.append(json.load(f))
    after = stable_count(conn) if args.after is None else args.after
    bodies = sent_bodies(args.requests, ingest["sent_per_thread"], args.format)
    run_id = run_of(bodies[0]) if bodies else ""
    inbox_ids = [int(i) for i in ingest["inbox_ids"]]
    row = conn.execute(
        "select count(*) filter (where hash = any(%s)), "
        "count(*) filter (where id = any(%s) and coalesce(metadata ->> 'run', "
        "split_part(metadata ->> 'eventId', '/', 1)) = %s) "
        "from momo_sms_inbox",
        ([sms_hash(b) for b in bodies], inbox_ids, run_id),
    ).fetchone()
    assert row is not None
    committed_sent, acknowledged_found = int(row[0]), int(row[1])

    ok = ingest["statuses"].get("200", 0)
    sent = sum(ingest["sent_per_thread"])
    unanswered = sent - ingest["requests"]
    new_rows = after - args.before
    committed_unanswered = new_rows - ok
    lost = ok - acknowledged_found
    other_statuses = {s: n for s, n in ingest["statuses"].items() if s != "200"}
    socket_errors = {k: v for k, v in ingest["errors"].items() if v and k != "status"}

    print()
    try:  # the allocator's pg_cron job competes for the same two cores while it runs
        jobs = [r[0] for r in conn.execute("select jobname from cron.job where active order by 1")]
        print(f"pg_cron jobs active during the run: {', '.join(jobs) or 'none'}")
    except psycopg.Error:
        pass
    print(
        f"{'':<34}{'requests/s':>11}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'requests':>10}"
    )
    runs = [("ceiling  POST /bench/ceiling", ceiling)]
    for spec in specs:
        runs.append(("ingest   POST /functions/v1/momo-sms-hook", spec))
    runs.append(("ingest   POST " + args.path, ingest))
    for name, run in runs:
        lat = run["latency_us"]
        print(
            f"{name:<34}{rate(run):>11.1f}{ms(lat['p50']):>9.2f}{ms(lat['p90']):>9.2f}"
            f"{ms(lat['p99']):>9.2f}{ms(lat['max']):>9.2f}{run['requests']:>10}"
        )
    ratio = rate(ingest) / rate(ceiling)
    p99 = ms(ingest["latency_us"]["p99"])
    print()
    print(
        f"ingest / ceiling     {ratio:.2f}   target >= {TARGET_RATIO:.2f}: "
        f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}"
    )
    if specs:
        to_spec = rate(ingest) / (sum(rate(spec) for spec in specs) / len(specs))
        print(
            f"{args.format} / spec route {to_spec:.2f}   target >= {TARGET_GATEWAY_RATIO:.2f}: "
            f"{'met' if to_spec >= TARGET_GATEWAY_RATIO else 'MISSED'}"
            + (f" (mean of the {len(specs)} spec runs)" if len(specs) > 1 else "")
        )
    print(
        f"ingest p99           {p99:.2f} ms   target < {TARGET_P99_MS:.0f} ms: "
        f"{'met' if p99 < TARGET_P99_MS else 'MISSED'}"
    )
    print(f"200 responses        {ok}")
    print(f"new inbox rows       {new_rows}")
    if committed_unanswered:
        print(
            f"                     of which {committed_unanswered} were requests still in flight "
            f"when wrk stopped ({unanswered} sent without their answer being read): "
            f"stored, never acknowledged"
        )
    print(f"lost                 {lost} (acknowledged inboxIds missing from the inbox)")

    problems = []
    if lost:
        problems.append(f"{lost} acknowledged SMS are not in the inbox")
    if len(set(inbox_ids)) != len(inbox_ids) or len(inbox_ids) != ok:
        problems.append("the 200 answers do not carry one distinct inboxId each")
    if ingest["duplicates"]:
        problems.append(f"{ingest['duplicates']} unique SMS were answered as duplicates")
    if not 0 <= committed_unanswered <= unanswered:
        problems.append(
            f"{new_rows} new rows for {ok} acknowledged and {unanswered} unanswered requests"
        )
    if committed_sent != new_rows:
        problems.append(f"{new_rows} new rows but {committed_sent} of them are this run's SMS")
    if other_statuses:
        problems.append(f"non-200 answers: {other_statuses}")
    if socket_errors:
        problems.append(f"socket errors: {socket_errors}")
    if ingest["exhausted"]:
        problems.append("wrk used up the pre-generated requests: raise BENCH_REQUESTS")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("zero lost, every answer right" if not problems else "FAILED")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("count")
    rep = sub.add_parser("report")
    rep.add_argument("--before", type=int, required=True)
    rep.add_argument("--requests", required=True)
    rep.add_argument("--ceiling", required=True)
    rep.add_argument("--ingest", required=True)
    rep.add_argument("--path", default="/functions/v1/momo-sms-hook")
    rep.add_argument("--format", choices=("spec", "sms-gate"), default="spec")
    rep.add_argument(
        "--spec",
        action="append",
        help="a spec route's run (JSON), to compare a gateway's with; repeat for the mean",
    )
    rep.add_argument("--after", type=int, help="inbox rows after the run (default: now)")
    args = parser.parse_args()
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        if args.command == "count":
            print(stable_count(conn))
            return 0
        return report(args, conn)


if __name__ == "__main__":
    sys.exit(main())
