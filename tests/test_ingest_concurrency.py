"""The same SMS delivered many times at once is stored once; the others count as duplicates."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from api import close_app, context, create_app
from api.config import Settings
from api.db import Role
from tests.support.gateways import HOOK

THREADS = 16
INGEST = "select inbox_id, duplicate from momo_sms_ingest(%s, %s, %s)"
RACE_APP_NAME = "test_ingest_race"


def inbox_rows(admin: psycopg.Connection) -> list[tuple[int, str, int]]:
    return admin.execute(
        "select id, raw_text, duplicate_count from momo_sms_inbox order by id"
    ).fetchall()


@pytest.mark.parametrize("round_", range(4))
def test_concurrent_deliveries_through_the_app_store_one_row(db_url, admin, round_):
    """16 threads, each with its own test client of one real app, post the same SMS at once."""
    app = create_app(Settings(database_url=db_url, pool_size=THREADS))
    body = json.dumps(
        {
            "message": f"You have received RWF 1,000 from RACE {round_}. Ref: {round_}.",
            "msisdn": "M-Money",
            "receivedAt": "2025-01-18T14:20:00Z",
        }
    )
    # Open the pool before the race: this test is about the dedupe, not about the lazy
    # creation of the pool by the first requests.
    with context.database(app).connection(Role.INGEST):
        pass
    start = threading.Barrier(THREADS)

    def deliver(_: int) -> tuple[int, dict]:
        client = app.test_client()
        start.wait()
        response = client.post(HOOK, data=body, content_type="application/json")
        return response.status_code, response.get_json()

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(deliver, range(THREADS)))
    finally:
        close_app(app)

    assert [status for status, _ in results] == [200] * THREADS
    firsts = [body for _, body in results if "duplicate" not in body]
    repeats = [body for _, body in results if body.get("duplicate") is True]
    assert len(firsts) == 1 and len(repeats) == THREADS - 1
    inbox_id = firsts[0]["inboxId"]
    assert {body["inboxId"] for body in repeats} == {inbox_id}
    rows = inbox_rows(admin)
    assert [(str(row_id), count) for row_id, _, count in rows] == [(inbox_id, THREADS - 1)]


def wait_for_lock_waiters(admin: psycopg.Connection, expected: int) -> None:
    deadline = time.monotonic() + 10
    waiting = -1
    while time.monotonic() < deadline:
        row = admin.execute(
            "select count(*) from pg_stat_activity "
            "where application_name = %s and wait_event_type = 'Lock'",
            (RACE_APP_NAME,),
        ).fetchone()
        waiting = row[0] if row else 0
        if waiting == expected:
            return
        time.sleep(0.02)
    raise AssertionError(f"{waiting} sessions wait for the first delivery's lock, not {expected}")


def race_sessions(
    connect_as: Callable[[str], psycopg.Connection], count: int
) -> list[psycopg.Connection]:
    sessions = [connect_as("app_ingest") for _ in range(count)]
    for conn in sessions:
        conn.execute("select set_config('application_name', %s, false)", (RACE_APP_NAME,))
    return sessions


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_deliveries_waiting_on_an_uncommitted_first_delivery_store_one_row(
    db_url, admin, connect_as, outcome
):
    """Real parallel sessions as app_ingest: the first one's insert is still open while
    15 more deliveries of the same SMS arrive and block on it. If it commits they are all
    duplicates of its row; if it rolls back, exactly one of them stores the SMS instead.
    """
    sms = ("You have received RWF 2,000 from WAITER. Ref: 77.", "M-Money", "2025-01-18T14:20:00Z")
    others = race_sessions(connect_as, THREADS - 1)

    with (
        psycopg.connect(db_url) as first,  # not autocommit: the insert stays open
        ThreadPoolExecutor(THREADS - 1) as pool,
    ):
        first.execute("set role app_ingest")
        first_row = first.execute(INGEST, sms).fetchone()
        assert first_row is not None and first_row[1] is False
        futures = [pool.submit(lambda c=conn: c.execute(INGEST, sms).fetchone()) for conn in others]
        wait_for_lock_waiters(admin, THREADS - 1)
        assert not any(future.done() for future in futures)
        if outcome == "commit":
            first.commit()
        else:
            first.rollback()
        results = [future.result(timeout=10) for future in futures]

    rows = inbox_rows(admin)
    assert len(rows) == 1
    row_id, raw_text, duplicate_count = rows[0]
    assert raw_text == sms[0]
    assert {inbox_id for inbox_id, _ in results} == {row_id}
    if outcome == "commit":
        assert row_id == first_row[0]
        assert [duplicate for _, duplicate in results] == [True] * (THREADS - 1)
        assert duplicate_count == THREADS - 1
    else:
        assert row_id != first_row[0]
        assert sorted(duplicate for _, duplicate in results) == [False] + [True] * (THREADS - 2)
        assert duplicate_count == THREADS - 2
