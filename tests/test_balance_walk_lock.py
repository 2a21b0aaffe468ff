"""One balance walk per account at a time, with real parallel sessions.

Two allocator sessions each with SMS of one collection phone: the second's walk
waits for the first to commit, then sees the SMS the first stored and verified, so
its credit is posted at once, not held for a SMS that was only in flight. A first
session killed mid-batch leaves nothing: the second then holds its credit until the
missing SMS is allocated, and each credit is posted exactly once.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import (
    Phone,
    add_group,
    add_member,
    allocate,
    anchor_account,
    deliver_received,
)

ACCOUNT = "walk-lock-phone"
NUMBER = "250781234567"


@pytest.fixture
def phone(admin: psycopg.Connection) -> Phone:
    group = add_group(admin)
    add_member(admin, group, "+" + NUMBER)
    anchored = Phone()
    anchor_account(admin, anchored, ACCOUNT)
    return anchored


def waiting_for_walk_lock(admin: psycopg.Connection, pid: int) -> bool:
    row = admin.execute(
        "select wait_event_type = 'Lock' and wait_event = 'advisory' "
        "from pg_stat_activity where pid = %s",
        (pid,),
    ).fetchone()
    return bool(row and row[0])


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def outcomes(admin: psycopg.Connection, *inbox_ids: int) -> list[str | None]:
    return [
        admin.execute("select outcome from momo_sms_inbox where id = %s", (i,)).fetchone()[0]
        for i in inbox_ids
    ]


def credits(admin: psycopg.Connection) -> dict[str, Decimal]:
    return dict(admin.execute("select txn_id, sum(amount) from contributions_ledger group by 1"))


def second_session_allocates(db_url: str, results: list) -> tuple[threading.Thread, list[int]]:
    """Starts a session that allocates one SMS (the newest); returns it and its pid."""
    pid: list[int] = []

    def run() -> None:
        try:
            with psycopg.connect(db_url, autocommit=True) as conn:
                pid.append(conn.info.backend_pid)
                results.append(conn.execute("select momo_allocate(1)").fetchone()[0])
        except BaseException as exc:  # surfaced by the test
            results.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    wait_until(lambda: bool(pid))
    return thread, pid


def test_a_second_session_waits_for_the_first_walk_and_links_to_its_sms(admin, db_url, phone):
    first = deliver_received(admin, phone.received(1000, NUMBER, "1001"), ACCOUNT)
    second = deliver_received(admin, phone.received(2000, NUMBER, "1002"), ACCOUNT)

    with psycopg.connect(db_url) as session_a:
        # session A allocates the first SMS and has not committed yet
        assert session_a.execute("select momo_allocate(1)").fetchone()[0]["allocated"] == 1
        results: list = []
        thread, pid = second_session_allocates(db_url, results)
        # B parses and stores the second SMS, then waits for A's walk of the account
        wait_until(lambda: waiting_for_walk_lock(admin, pid[0]))
        assert results == []
        session_a.commit()
    thread.join(timeout=30)

    assert results[0]["allocated"] == 1 and results[0]["held"] == 0
    assert outcomes(admin, first, second) == ["allocated", "allocated"]
    assert credits(admin) == {"1001": Decimal("1000.00"), "1002": Decimal("2000.00")}
    assert admin.execute("select count(*) from momo_balance_holds").fetchone() == (0,)


def test_the_first_session_killed_mid_batch_leaves_the_second_holding_until_the_sms_arrives(
    admin, db_url, phone
):
    first = deliver_received(admin, phone.received(1000, NUMBER, "1001"), ACCOUNT)
    second = deliver_received(admin, phone.received(2000, NUMBER, "1002"), ACCOUNT)

    session_a = psycopg.connect(db_url)
    assert session_a.execute("select momo_allocate(1)").fetchone()[0]["allocated"] == 1
    results: list = []
    thread, pid = second_session_allocates(db_url, results)
    wait_until(lambda: waiting_for_walk_lock(admin, pid[0]))
    admin.execute("select pg_terminate_backend(%s)", (session_a.info.backend_pid,))
    thread.join(timeout=30)
    session_a.close()

    # A's batch is gone: the first SMS waits in the inbox, and B's credit does not link
    # to the verified history without it
    assert results[0]["held"] == 1
    assert outcomes(admin, first, second) == [None, "held"]
    assert credits(admin) == {}

    allocate(admin)
    assert outcomes(admin, first, second) == ["allocated", "allocated"]
    assert credits(admin) == {"1001": Decimal("1000.00"), "1002": Decimal("2000.00")}
    assert admin.execute(
        "select count(*) from contributions_ledger where txn_id in ('1001', '1002')"
    ).fetchone() == (2,)
