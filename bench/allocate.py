"""make bench-allocate: drain generated backlogs through the pg_cron entry point.

For each size (10,000 / 100,000 / 1,000,000 mixed SMS in the real formats,
10,000 members) it empties the bench database, enqueues the backlog, and
times (1) parsing only (_momo_parse_batch over the whole backlog, in chunks)
and (2) full allocation through the commands the two pg_cron jobs run, in two
sessions at once as pg_cron runs them: `call momo_allocator_drain()`
(momo-allocator) and `call momo_allocator_assist()` (momo-allocator-assist),
with the time budget lifted so one call drains all. BENCH_SESSIONS=1 runs the
drain alone. Prints rows/s; checks the outcomes against what the backlog must
produce.

Each size runs on both SMS matchers, one line after the other: PL/Perl (where
the server has it) and PostgreSQL's engine (momo.regex_engine, see
db/functions/baskets/_regex_engine.sql). BENCH_MATCHERS chooses: "perl",
"postgres", "auto" (what the server offers) or a list, e.g. "perl,postgres".
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter

import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from bench.backlog import create_members, enqueue_mixed_sms, expected_outcomes

N_MEMBERS = 10_000
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "2"))
PARSE_CHUNK = 5_000
ENTRY_POINTS = ["call momo_allocator_drain()", "call momo_allocator_assist()"]
MATCHERS = os.environ.get("BENCH_MATCHERS", "")


def reset(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("set local session_replication_role = replica")
        conn.execute(
            "truncate momo_unmatched, contributions_ledger, contribution_cycles, momo_parsed_txns, "
            "momo_balance_history, "
            "momo_sms_inbox, ibimina_members, profiles, ibimina restart identity cascade"
        )
    conn.execute("select cron.alter_job(jobid, active := false) from cron.job")


def parse_only(conn: psycopg.Connection, n: int) -> float:
    started = time.perf_counter()
    for first in range(1, n + 1, PARSE_CHUNK):
        conn.execute(
            """
            select count(*) from _momo_parse_batch(
                (select array_agg(raw_text order by id) from momo_sms_inbox
                 where id between %(a)s and %(b)s),
                (select array_agg(received_at order by id) from momo_sms_inbox
                 where id between %(a)s and %(b)s),
                'Africa/Kigali', '250')
            """,
            {"a": first, "b": first + PARSE_CHUNK - 1},
        )
    return time.perf_counter() - started


def drain(sessions: int, matcher: str) -> float:
    """Runs the pg_cron entry points in `sessions` sessions at once; seconds until all end."""
    url = os.environ["DATABASE_URL"]
    connections = [
        psycopg.connect(url, autocommit=True, options=f"-c momo.regex_engine={matcher}")
        for _ in range(sessions)
    ]
    failures: list[BaseException] = []

    def call(conn: psycopg.Connection, command: str) -> None:
        try:
            conn.execute(command)
        except BaseException as exc:  # reported after the join
            failures.append(exc)

    threads = [
        threading.Thread(target=call, args=(conn, command))
        for conn, command in zip(connections, ENTRY_POINTS[:sessions], strict=True)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    for conn in connections:
        conn.close()
    if failures:
        raise failures[0]
    return seconds


def run(conn: psycopg.Connection, n: int, matcher: str) -> None:
    conn.execute("select set_config('momo.regex_engine', %s, false)", (matcher,))
    engine = conn.execute("select _regex_engine()").fetchone()[0]
    reset(conn)
    create_members(conn, N_MEMBERS)
    enqueue_mixed_sms(conn, 1, n, N_MEMBERS)
    conn.execute("vacuum analyze momo_sms_inbox")

    parse_seconds = parse_only(conn, n)
    conn.execute("update app_settings set value = '1 day' where key = 'MOMO_ALLOCATOR_TIME_BUDGET'")
    allocate_seconds = drain(SESSIONS, matcher)

    outcomes = Counter(
        dict(conn.execute("select outcome, count(*) from momo_sms_inbox group by 1").fetchall())
    )
    ok = outcomes == expected_outcomes(1, n)
    ledger = conn.execute("select count(*) from contributions_ledger").fetchone()[0]
    print(
        f"{n:>9,} SMS  {engine:<8} matcher  "
        f"parse-only {n / parse_seconds:>8,.0f} rows/s ({parse_seconds:6.1f} s)  "
        f"full allocation {n / allocate_seconds:>8,.0f} rows/s ({allocate_seconds:6.1f} s)  "
        f"ledger rows {ledger:,}  outcomes {'as expected' if ok else 'WRONG: ' + str(outcomes)}",
        flush=True,
    )


def main() -> None:
    url = os.environ["DATABASE_URL"]
    batch = os.environ.get("BENCH_DRAIN_BATCH_SIZE")
    with psycopg.connect(url, autocommit=True) as conn:
        settings = dict(
            conn.execute(
                "select key, value from app_settings where key like 'MOMO_ALLOCATOR_%'"
            ).fetchall()
        )
        if batch:
            conn.execute(
                "update app_settings set value = %s where key = 'MOMO_ALLOCATOR_DRAIN_BATCH_SIZE'",
                (batch,),
            )
        print(
            f"bench-allocate: {N_MEMBERS:,} members, drain batch "
            f"{batch or settings['MOMO_ALLOCATOR_DRAIN_BATCH_SIZE']} rows, "
            f"{os.cpu_count()} cores, {SESSIONS} allocator session(s) "
            f"({' + '.join(ENTRY_POINTS[:SESSIONS])})",
            flush=True,
        )
        perl = conn.execute(
            "select to_regprocedure('public._regex_first_match_perl(text[], text[], text[])') "
            "is not null"
        ).fetchone()[0]
        both = ["perl", "postgres"] if perl else ["postgres"]
        matchers = MATCHERS.split(",") if MATCHERS else both
        try:
            for n in SIZES:
                for matcher in matchers:
                    run(conn, n, matcher)
        finally:
            conn.execute(
                "update app_settings set value = default_value where key like 'MOMO_ALLOCATOR_%'"
            )


if __name__ == "__main__":
    main()
