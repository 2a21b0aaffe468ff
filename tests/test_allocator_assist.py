"""momo_allocator_assist: the second allocator session, only alongside a running drain."""

import threading
import time

import psycopg
import pytest

from bench.backlog import create_members, enqueue_mixed_sms, expected_outcomes
from tests.support.allocation import (
    add_group,
    add_member,
    assert_exactly_once,
    ingest,
    p2p,
    unprocessed,
)

DRAIN_LOCK = "select pg_advisory_lock_shared(hashtextextended('momo_allocator_drain', 0))"


def test_the_assist_job_runs_every_minute(admin):
    job = admin.execute(
        "select schedule, command from cron.job where jobname = 'momo-allocator-assist'"
    ).fetchone()
    assert job == ("* * * * *", "call momo_allocator_assist()")


@pytest.mark.slow
def test_without_a_running_drain_it_allocates_nothing(admin):
    add_member(admin, add_group(admin), "+250781234567")
    ingest(admin, p2p(100, "250781234567", "1"))
    started = time.monotonic()
    admin.execute("call momo_allocator_assist()")
    waited = time.monotonic() - started
    assert 4 < waited < 30  # it waited for a drain to start, then gave up
    assert unprocessed(admin) == 1
    assert admin.execute("select count(*) from contributions_ledger").fetchone() == (0,)


def test_while_a_drain_runs_it_drains_the_queue(admin, db_url, balance_check_off):
    add_member(admin, add_group(admin), "+250781234567")
    for i in range(30):
        ingest(admin, p2p(100, "250781234567", str(i)))
    with psycopg.connect(db_url, autocommit=True) as drain_session:
        drain_session.execute(DRAIN_LOCK)  # what momo_allocator_drain() holds while it runs
        admin.execute("call momo_allocator_assist()")
    assert unprocessed(admin) == 0
    assert admin.execute("select count(*) from contributions_ledger").fetchone() == (30,)


def test_the_drain_releases_its_lock_when_it_ends(admin):
    admin.execute("call momo_allocator_drain()")
    assert admin.execute("select _momo_drain_running()").fetchone() == (False,)


@pytest.mark.slow
def test_drain_and_assist_together_allocate_each_credit_exactly_once(admin, db_url):
    create_members(admin, 2_000)
    enqueue_mixed_sms(admin, 1, 20_000, 2_000)
    admin.execute(
        "update app_settings set value = '1000' where key = 'MOMO_ALLOCATOR_DRAIN_BATCH_SIZE'"
    )
    errors: list[BaseException] = []

    def run(command: str) -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                conn.execute(command)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(command,))
        for command in ("call momo_allocator_drain()", "call momo_allocator_assist()")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert errors == []
    assert unprocessed(admin) == 0
    assert_exactly_once(admin, expected_outcomes(1, 20_000))
