"""Pause means stop: running drains and assists stop before their next batch, HTTP gets 409.

A 100,000-row backlog drains in batches of 2,000 in two sessions (drain and assist); the pause
comes after the first batch commits. At most the batch each session had in flight commits after
it; resume drains the rest exactly once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import psycopg
import pytest

from bench.backlog import create_members, delivered, enqueue_mixed_sms, expected_outcomes
from tests.support.allocation import assert_cycles_match_ledger, ingest, p2p
from tests.support.database import one_row, scalar
from tests.support.operations import allocator_job_active

N_SMS = 100_000
N_MEMBERS = 2_000
BATCH = 2_000
TOKEN = "allocator-token-for-tests"
PROCESSED = "select count(*) from momo_sms_inbox where processed_at is not null"


@pytest.fixture
def running(admin):
    """The allocator job active, as in production (the test reset pauses every job)."""
    with allocator_job_active(admin):
        yield admin


def run_in_thread(db_url: str, command: str, errors: list[BaseException]) -> threading.Thread:
    def target() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                conn.execute(command)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread


@pytest.mark.slow
def test_pause_stops_a_running_drain_and_assist_then_resume_drains_the_rest_once(
    running, connect_as, db_url, make_app
):
    admin = running
    create_members(admin, N_MEMBERS)
    enqueue_mixed_sms(admin, 1, N_SMS, N_MEMBERS)
    admin.execute(
        "update app_settings set value = %s where key = 'MOMO_ALLOCATOR_DRAIN_BATCH_SIZE'",
        (str(BATCH),),
    )
    admin.execute(
        "update app_settings set value = '10 minutes' where key = 'MOMO_ALLOCATOR_TIME_BUDGET'"
    )
    errors: list[BaseException] = []
    drain = run_in_thread(db_url, "call momo_allocator_drain()", errors)
    assist = run_in_thread(db_url, "call momo_allocator_assist()", errors)
    while scalar(admin, PROCESSED) == 0:
        time.sleep(0.01)

    connect_as("app_dba").execute("select momo_allocator_pause('incident 12: wrong allocations')")
    at_pause = scalar(admin, PROCESSED)
    # Ours, and pg_cron's own drain and assist if the minute turned meanwhile.
    sessions = scalar(
        admin,
        "select count(*) from pg_stat_activity "
        "where query ~ 'call momo_allocator_(drain|assist)' and state = 'active'",
    )
    drain.join()
    assist.join()
    assert errors == []
    after_pause = scalar(admin, PROCESSED)
    # Each running session may finish the batch it had in flight, nothing more.
    assert after_pause - at_pause <= sessions * BATCH
    assert after_pause < delivered(1, N_SMS)
    status = one_row(connect_as("app_analyst"), "select * from monitoring.allocator_status")
    assert (status["state"], status["pause_reason"]) == ("paused", "incident 12: wrong allocations")

    # The HTTP trigger is refused while paused and claims nothing.
    http = make_app(allocator_token=TOKEN).test_client()
    response = http.post(
        "/functions/v1/momo-allocator",
        json={"limit": 5},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "allocator_paused"
    assert "paused" in response.get_json()["error"]["message"]
    # So is any other caller, with the pause named.
    with pytest.raises(psycopg.Error, match="the allocator is paused") as info:
        admin.execute("select momo_allocate(10)")
    assert info.value.sqlstate == "MM409"
    assert scalar(admin, PROCESSED) == after_pause

    connect_as("app_dba").execute("select momo_allocator_resume('incident 12 fixed')")
    # pg_cron may start its own drain now too; drain until every SMS is processed.
    while scalar(admin, "select count(*) from momo_sms_inbox where processed_at is null") > 0:
        admin.execute("call momo_allocator_drain()")
        time.sleep(0.1)
    # The next run: a credit held while its neighbour was in the other session's batch links now.
    admin.execute("select momo_allocate(1)")

    outcomes = Counter(
        dict(admin.execute("select outcome, count(*) from momo_sms_inbox group by 1").fetchall())
    )
    assert outcomes == expected_outcomes(1, N_SMS)
    ledger = admin.execute(
        "select count(*), count(distinct txn_id), count(distinct inbox_id) "
        "from contributions_ledger"
    ).fetchone()
    assert ledger == (outcomes["allocated"],) * 3
    assert_cycles_match_ledger(admin)


def test_the_http_trigger_works_again_after_resume(
    running, connect_as, make_app, balance_check_off
):
    admin = running
    http = make_app(allocator_token=TOKEN).test_client()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    ingest(admin, p2p(100, "250781234567", "1"))
    dba = connect_as("app_dba")
    dba.execute("select momo_allocator_pause('incident 12')")
    assert http.post("/functions/v1/momo-allocator", headers=headers).status_code == 409
    dba.execute("select momo_allocator_resume('incident 12 fixed')")
    response = http.post("/functions/v1/momo-allocator", headers=headers)
    assert response.status_code == 200
    assert response.get_json()["summary"]["processed"] == 1


def test_a_job_switched_off_by_hand_can_still_be_paused_so_that_allocation_stops(
    admin, connect_as, balance_check_off
):
    # The test reset switches every job off with cron.alter_job, as a superuser might.
    ingest(admin, p2p(100, "250781234567", "1"))
    dba = connect_as("app_dba")
    dba.execute("select momo_allocator_pause('incident 12')")
    with pytest.raises(psycopg.Error, match="the allocator is paused"):
        admin.execute("select momo_allocate(10)")
    with pytest.raises(psycopg.Error, match="already paused"):
        dba.execute("select momo_allocator_pause('again')")
