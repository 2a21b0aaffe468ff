"""Exactly-once under real parallel sessions and a backend killed mid-batch."""

import threading
import time

import psycopg

from bench.backlog import create_members, delivered, enqueue_mixed_sms, openings
from tests.support.allocation import assert_exactly_once

N_SMS = 20_000
N_MEMBERS = 2_000


def test_four_parallel_allocators_allocate_each_credit_exactly_once(admin, db_url):
    create_members(admin, N_MEMBERS)
    enqueue_mixed_sms(admin, 1, N_SMS, N_MEMBERS)
    errors: list[BaseException] = []
    summaries: list[dict] = []

    def worker() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                while True:
                    summary = conn.execute("select momo_allocate(500)").fetchone()[0]
                    if summary["processed"] == 0:
                        return
                    summaries.append(summary)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert errors == []
    assert sum(s["processed"] for s in summaries) == delivered(1, N_SMS)
    assert all(s["errors"] == [] for s in summaries)
    assert len({id(s) for s in summaries}) > 4  # many batches, interleaved
    assert_exactly_once(admin, 1, N_SMS)


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
    assert_exactly_once(admin, 1, N_SMS)
