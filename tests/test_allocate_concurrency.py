"""Exactly-once under real parallel sessions and a backend killed mid-batch."""

import threading
import time

import psycopg
import pytest

from bench.backlog import (
    create_members,
    delivered,
    enqueue_mixed_sms,
    expected_outcomes,
    openings,
)
from tests.support.allocation import assert_exactly_once

# 20,000-SMS backlogs drained by parallel sessions.
pytestmark = pytest.mark.slow

N_SMS = 20_000
N_MEMBERS = 2_000
WORKERS = 4


def test_four_parallel_allocators_allocate_each_credit_exactly_once(admin, db_url):
    create_members(admin, N_MEMBERS)
    enqueue_mixed_sms(admin, 1, N_SMS, N_MEMBERS)
    errors: list[BaseException] = []
    # (worker, started, finished, summary) per batch that processed something
    batches: list[tuple[int, float, float, dict]] = []
    start = threading.Barrier(WORKERS)

    def worker(n: int) -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                start.wait()
                while True:
                    started = time.monotonic()
                    summary = conn.execute("select momo_allocate(500)").fetchone()[0]
                    if summary["processed"] == 0:
                        return
                    batches.append((n, started, time.monotonic(), summary))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert errors == []
    summaries = [summary for _, _, _, summary in batches]
    assert sum(s["processed"] for s in summaries) == delivered(1, N_SMS)
    assert all(s["errors"] == [] for s in summaries)
    # Really in parallel: the four started together and each claimed its own rows (skip
    # locked), so every worker allocated batches, and batches of different workers ran
    # at the same time.
    assert {n for n, _, _, _ in batches} == set(range(WORKERS))
    assert any(a[0] != b[0] and a[1] < b[2] and b[1] < a[2] for a in batches for b in batches), (
        "no two workers' batches overlapped"
    )
    assert_exactly_once(admin, expected_outcomes(1, N_SMS))


def test_allocator_killed_mid_batch_loses_and_duplicates_nothing(admin, db_url):
    create_members(admin, N_MEMBERS)
    enqueue_mixed_sms(admin, 1, N_SMS, N_MEMBERS)
    victim_error: list[BaseException] = []

    def victim() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True, application_name="victim") as conn:
                conn.execute("select momo_allocate(%s)", (N_SMS,))
        except psycopg.OperationalError as exc:
            victim_error.append(exc)

    thread = threading.Thread(target=victim)
    thread.start()
    deadline = time.monotonic() + 30
    pid = None
    while time.monotonic() < deadline and pid is None:
        row = admin.execute(
            "select pid from pg_stat_activity where application_name = 'victim' "
            "and state = 'active' and query like 'select momo_allocate%%'"
        ).fetchone()
        pid = row[0] if row else None
        time.sleep(0.05)
    assert pid is not None
    time.sleep(0.5)  # well inside the batch: it writes all 20,000 rows at once
    assert admin.execute("select pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    thread.join(timeout=60)
    assert len(victim_error) == 1  # it really died before committing

    # nothing of the killed batch survived, so nothing can be counted twice (the
    # accounts' openings were processed when the backlog was enqueued)
    assert admin.execute("select count(*) from contributions_ledger").fetchone() == (0,)
    assert admin.execute(
        "select count(*) from momo_sms_inbox where processed_at is not null or attempts > 0"
    ).fetchone() == (openings(1, N_SMS),)

    admin.execute("call momo_allocator_drain()")
    assert admin.execute(
        "select count(*) from momo_sms_inbox where processed_at is null"
    ).fetchone() == (0,)
    assert_exactly_once(admin, expected_outcomes(1, N_SMS))
