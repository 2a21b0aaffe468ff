"""Group commit: momo_sms_ingest_batch in SQL, and the per-worker GroupCommitter over it.

The committer tests hold a batch in flight deterministically: the admin session
stores an SMS without committing, so a delivery of the same SMS waits on the
unique hash index inside the committer's transaction while later deliveries
queue behind it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
import pytest
from psycopg.types.json import Jsonb

from api import close_app, context, create_app
from api.config import ConfigError, Settings
from api.group_commit import BATCH_SQL, Delivery, GroupCommitter, Stored, register_delivery
from api.ingest import group_committer

RECEIVED_AT = "2025-01-18T14:20:00Z"


def sms(n: int) -> str:
    return f"You have received RWF {n},000 from PAYER {n} (*********{n:03d}). Ref: GC{n}."


def inbox(admin: psycopg.Connection) -> list[tuple]:
    return admin.execute(
        "select id, raw_text, msisdn_raw, received_at, ingest_source, metadata, duplicate_count,"
        " last_duplicate_at is not null from momo_sms_inbox order by id"
    ).fetchall()


def batch_call(conn: psycopg.Connection, rows: list[tuple | None]) -> list[tuple]:
    """momo_sms_ingest_batch over (message, msisdn, receivedAt, ingestSource, metadata)
    rows, as the committer sends them (None: a null element of the array)."""
    register_delivery(conn)
    deliveries = [
        None if r is None else Delivery(*r[:4], None if r[4] is None else Jsonb(r[4])) for r in rows
    ]
    return conn.execute(BATCH_SQL, (deliveries,)).fetchall()


# --- momo_sms_ingest_batch ---------------------------------------------------------------------


def test_batch_stores_each_delivery_and_answers_in_order(admin, connect_as):
    ingest = connect_as("app_ingest")
    rows = [
        (sms(1), "M-Money", RECEIVED_AT, "modem-1", {"slot": 1}),
        (sms(2), None, None, None, None),
        (sms(3), "M-Money", "2025-01-18T16:20:00+02:00", "modem-2", None),
    ]

    answer = batch_call(ingest, rows)

    # Rows are inserted in hash order (no deadlocks); answers follow the input order.
    stored = sorted(inbox(admin), key=lambda r: [row[0] for row in rows].index(r[1]))
    assert answer == [(n + 1, stored[n][0], False) for n in range(3)]
    assert [r[1:3] for r in stored] == [(sms(1), "M-Money"), (sms(2), None), (sms(3), "M-Money")]
    assert stored[0][3] == stored[2][3]  # the same instant written in two zones
    assert [r[4] for r in stored] == ["modem-1", "gateway", "modem-2"]
    assert [r[5] for r in stored] == [{"slot": 1}, None, None]
    assert [r[6] for r in stored] == [0, 0, 0]


def test_batch_hash_is_the_spec_hash(admin, connect_as):
    batch_call(connect_as("app_ingest"), [(sms(1), "M-Money", RECEIVED_AT, None, None)])

    expected = hashlib.sha256(f"{sms(1)}|M-Money|{RECEIVED_AT}".encode()).hexdigest()
    assert admin.execute("select hash from momo_sms_inbox").fetchone() == (expected,)


def test_the_hash_is_of_the_texts_as_sent_in_utf8(admin, connect_as):
    """Accents, a backslash and a missing msisdn and receivedAt (empty in the hash)."""
    message = "Wakiriye RWF 1,000 kwa Élise \\ Ref: é1."
    batch_call(connect_as("app_ingest"), [(message, None, None, None, None)])

    expected = hashlib.sha256(f"{message}||".encode()).hexdigest()
    assert admin.execute("select hash from momo_sms_inbox").fetchone() == (expected,)


def test_a_repeat_within_one_batch_is_a_duplicate_of_the_first(admin, connect_as):
    ingest = connect_as("app_ingest")
    a = (sms(1), "M-Money", RECEIVED_AT, None, None)
    b = (sms(2), "M-Money", RECEIVED_AT, None, None)

    answer = batch_call(ingest, [a, b, a, a])

    stored = inbox(admin)
    assert len(stored) == 2
    a_id = next(r[0] for r in stored if r[1] == sms(1))
    assert answer[0] == (1, a_id, False)
    assert answer[2] == (3, a_id, True)
    assert answer[3] == (4, a_id, True)
    assert answer[1][2] is False
    assert next(r[6:] for r in stored if r[1] == sms(1)) == (2, True)
    assert next(r[6:] for r in stored if r[1] == sms(2)) == (0, False)


def test_a_batch_repeating_a_stored_sms_counts_every_delivery(admin, connect_as):
    ingest = connect_as("app_ingest")
    a = (sms(1), "M-Money", RECEIVED_AT, None, None)
    (first,) = batch_call(ingest, [a])

    answer = batch_call(ingest, [a, a])

    assert answer == [(1, first[1], True), (2, first[1], True)]
    assert [r[6] for r in inbox(admin)] == [2]


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        ((" \n ", None, None, None, None), "message", "message is required"),
        (("x" * 2001, None, None, None, None), "message", "at most 2000"),
        ((sms(9), "9" * 65, None, None, None), "msisdn", "msisdn is longer"),
        ((sms(9), None, "18/01/2025", None, None), "receivedAt", "ISO-8601"),
        ((sms(9), None, "2025-02-30T10:00:00Z", None, None), "receivedAt", "not a valid"),
        ((sms(9), None, None, " ", None), "ingestSource", "ingestSource must be"),
    ],
)
def test_one_invalid_delivery_fails_the_batch_and_stores_nothing(
    admin, connect_as, bad, column, message
):
    ingest = connect_as("app_ingest")
    good = (sms(1), "M-Money", RECEIVED_AT, None, None)

    with pytest.raises(psycopg.Error) as raised:
        batch_call(ingest, [good, bad, good])

    assert raised.value.sqlstate == "MM400"
    assert raised.value.diag.column_name == column
    assert message in (raised.value.diag.message_primary or "")
    assert "(delivery 2 of 3)" in (raised.value.diag.message_primary or "")
    assert inbox(admin) == []


def test_a_null_delivery_is_refused(admin, connect_as):
    ingest = connect_as("app_ingest")
    good = (sms(1), "M-Money", RECEIVED_AT, None, None)

    with pytest.raises(psycopg.Error) as raised:
        batch_call(ingest, [good, None, good])

    assert raised.value.sqlstate == "MM400"
    assert raised.value.diag.column_name == "message"
    assert "(delivery 2 of 3)" in (raised.value.diag.message_primary or "")
    assert inbox(admin) == []


def test_an_empty_batch_stores_nothing(admin, connect_as):
    assert batch_call(connect_as("app_ingest"), []) == []
    assert inbox(admin) == []


# --- GroupCommitter ----------------------------------------------------------------------------


@pytest.fixture
def committer(db_url: str, admin: psycopg.Connection) -> Iterator[GroupCommitter]:
    # A batch in flight is held for as long as a test needs (the default lock_timeout is 1 s).
    settings = Settings(db_url, ingest_lock_timeout_ms=60_000, ingest_timeout_seconds=60)
    committer = group_committer(settings)
    yield committer
    committer.close()


def delivery(n: int, received_at: str | None = RECEIVED_AT) -> Delivery:
    return Delivery(sms(n), "M-Money", received_at, "test", Jsonb({"n": n}))


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


class InFlight:
    """A committer whose next batch waits on an SMS the admin stored without committing."""

    def __init__(self, committer: GroupCommitter, db_url: str, pool: ThreadPoolExecutor) -> None:
        self.committer = committer
        self.pool = pool
        self.blocker = psycopg.connect(db_url)  # a transaction, left open
        self.blocker.execute(
            "select momo_sms_ingest(%s, 'M-Money', %s, 'test')", (sms(0), RECEIVED_AT)
        )
        self.held = pool.submit(committer.store, delivery(0))
        wait_until(lambda: self._leader_waits(db_url), "the committer waits on the held SMS")

    @staticmethod
    def _leader_waits(db_url: str) -> bool:
        with psycopg.connect(db_url, autocommit=True) as conn:
            row = conn.execute(
                "select count(*) from pg_stat_activity where application_name = "
                "'api:app_ingest:group-commit' and wait_event_type = 'Lock'"
            ).fetchone()
            return row is not None and row[0] == 1

    def queue(self, deliveries: list[Delivery]) -> list[Future[Stored]]:
        before = self.committer.waiting()
        futures = [self.pool.submit(self.committer.store, d) for d in deliveries]
        wait_until(
            lambda: self.committer.waiting() == before + len(deliveries),
            f"{len(deliveries)} deliveries queue behind the batch in flight",
        )
        return futures

    def release(self, commit: bool = True) -> None:
        if commit:
            self.blocker.commit()
        else:
            self.blocker.rollback()
        self.blocker.close()


@pytest.fixture
def in_flight(committer: GroupCommitter, db_url: str) -> Iterator[Callable[[], InFlight]]:
    pools: list[ThreadPoolExecutor] = []
    opened: list[InFlight] = []

    def _make() -> InFlight:
        pool = ThreadPoolExecutor(16)
        pools.append(pool)
        held = InFlight(committer, db_url, pool)
        opened.append(held)
        return held

    yield _make
    for held in opened:
        if not held.blocker.closed:
            held.release(commit=False)
    for pool in pools:
        pool.shutdown(wait=True)


def test_deliveries_arriving_during_a_commit_share_the_next_one(admin, committer, in_flight):
    held = in_flight()
    queued = held.queue([delivery(n) for n in range(1, 6)])

    held.release()

    assert held.held.result(timeout=10).duplicate is True  # the admin's row won
    answers = [f.result(timeout=10) for f in queued]
    stored = {r[1]: r[0] for r in inbox(admin)}
    assert [a.inbox_id for a in answers] == [stored[sms(n)] for n in range(1, 6)]
    assert not any(a.duplicate for a in answers)
    stats = committer.stats
    assert (stats.batches, stats.deliveries, stats.largest_batch) == (2, 6, 5)


def test_an_invalid_delivery_in_a_batch_fails_alone(admin, committer, in_flight):
    held = in_flight()
    good_a, bad, good_b = held.queue(
        [delivery(1), delivery(2, received_at="2025-02-30T10:00:00Z"), delivery(3)]
    )

    held.release()

    with pytest.raises(psycopg.Error) as raised:
        bad.result(timeout=10)
    assert raised.value.sqlstate == "MM400"
    assert raised.value.diag.column_name == "receivedAt"
    assert "delivery" not in (raised.value.diag.message_primary or "")  # it was stored alone
    stored = {r[1]: r[0] for r in inbox(admin)}
    assert set(stored) == {sms(0), sms(1), sms(3)}
    assert good_a.result(timeout=10) == Stored(stored[sms(1)], False)
    assert good_b.result(timeout=10) == Stored(stored[sms(3)], False)
    assert committer.stats.fallbacks == 1


def test_a_killed_connection_fails_its_batch_and_retries_store_each_sms_once(
    admin, committer, in_flight
):
    held = in_flight()
    queued = held.queue([delivery(n) for n in range(1, 4)])

    admin.execute(
        "select pg_terminate_backend(pid) from pg_stat_activity "
        "where application_name = 'api:app_ingest:group-commit'"
    )

    with pytest.raises(psycopg.OperationalError):
        held.held.result(timeout=10)
    # The queued deliveries were not in the killed transaction: a new connection stores them.
    answers = [f.result(timeout=10) for f in queued]
    assert not any(a.duplicate for a in answers)
    held.release(commit=False)  # the admin's copy of SMS 0 never happened
    retried = committer.store(delivery(0))  # the gateway retries the failed delivery
    again = [committer.store(delivery(n)) for n in range(4)]  # and, say, everything twice

    stored = {r[1]: r[0] for r in inbox(admin)}
    assert len(stored) == 4
    assert retried == Stored(stored[sms(0)], False)
    assert [a.inbox_id for a in again] == [stored[sms(n)] for n in range(4)]
    assert all(a.duplicate for a in again)


def test_a_delivery_stuck_behind_an_uncommitted_copy_fails_fast_and_the_rest_go_on(admin, db_url):
    committer = group_committer(Settings(db_url, ingest_lock_timeout_ms=300))
    blocker = psycopg.connect(db_url)
    blocker.execute("select momo_sms_ingest(%s, 'M-Money', %s, 'test')", (sms(0), RECEIVED_AT))
    try:
        with ThreadPoolExecutor(4) as pool:
            stuck = pool.submit(committer.store, delivery(0))
            wait_until(lambda: InFlight._leader_waits(db_url), "the committer waits on SMS 0")
            others = [pool.submit(committer.store, delivery(n)) for n in (1, 2)]

            with pytest.raises(psycopg.errors.LockNotAvailable):
                stuck.result(timeout=10)
            answers = [f.result(timeout=10) for f in others]
    finally:
        blocker.rollback()
        blocker.close()
        committer.close()

    stored = {r[1]: r[0] for r in inbox(admin)}
    assert set(stored) == {sms(1), sms(2)}
    assert answers == [Stored(stored[sms(1)], False), Stored(stored[sms(2)], False)]


@pytest.mark.parametrize(
    ("env", "lock_timeout"),
    [({}, "1s"), ({"MOMO_SMS_INGEST_LOCK_TIMEOUT_MS": "300"}, "300ms")],
    ids=["default", "from-the-environment"],
)
def test_the_ingest_connection_takes_its_lock_timeout_from_the_settings(
    admin, db_url, env, lock_timeout
):
    committer = group_committer(Settings.from_env({"DATABASE_URL": db_url, **env}))
    try:
        committer.store(delivery(1))  # opens the committer's connection
        assert committer._conn is not None
        assert committer._conn.execute("show lock_timeout").fetchone() == (lock_timeout,)
    finally:
        committer.close()


@pytest.mark.parametrize("value", ["0", "-5", "1s"])
def test_a_bad_ingest_lock_timeout_refuses_to_start(value):
    with pytest.raises(ConfigError, match="MOMO_SMS_INGEST_LOCK_TIMEOUT_MS"):
        Settings.from_env(
            {"DATABASE_URL": "postgresql://x", "MOMO_SMS_INGEST_LOCK_TIMEOUT_MS": value}
        )


def test_many_threads_each_get_their_own_row(admin, committer):
    start = threading.Barrier(16)

    def deliver(n: int) -> Stored:
        start.wait()
        return committer.store(delivery(n))

    with ThreadPoolExecutor(16) as pool:  # 25 rounds of 16 deliveries released together
        answers = list(pool.map(deliver, range(400)))

    stored = {r[1]: r[0] for r in inbox(admin)}
    assert len(stored) == 400
    assert [a.inbox_id for a in answers] == [stored[sms(n)] for n in range(400)]
    assert not any(a.duplicate for a in answers)
    assert committer.stats.deliveries == 400


def test_workers_racing_on_the_same_sms_store_it_once(admin, db_url):
    """Eight apps (as eight gunicorn workers, each with its own committer) x 4 threads."""
    apps = [create_app(Settings(database_url=db_url, pool_size=2)) for _ in range(8)]
    body = json.dumps({"message": sms(7), "msisdn": "M-Money", "receivedAt": RECEIVED_AT})
    for n, app in enumerate(apps):  # open each committer's connection before the race
        context.ingest_committer(app).store(delivery(100 + n))
    start = threading.Barrier(32)

    def post(n: int) -> dict:
        client = apps[n % 8].test_client()
        start.wait()
        response = client.post(
            "/functions/v1/momo-sms-hook", data=body, content_type="application/json"
        )
        assert response.status_code == 200
        return response.get_json()

    try:
        with ThreadPoolExecutor(32) as pool:
            answers = list(pool.map(post, range(32)))
    finally:
        for app in apps:
            close_app(app)

    rows = admin.execute(
        "select id, duplicate_count from momo_sms_inbox where raw_text = %s", (sms(7),)
    ).fetchall()
    assert len(rows) == 1
    assert rows[0][1] == 31
    assert {a["inboxId"] for a in answers} == {str(rows[0][0])}
    assert sum(1 for a in answers if not a.get("duplicate")) == 1


def test_over_http_a_stuck_delivery_is_503_and_stores_nothing(admin, db_url, make_app):
    """The app's ingest connection gives up on a lock after 1 s; the gateway retries."""
    client = make_app().test_client()
    blocker = psycopg.connect(db_url)
    blocker.execute("select momo_sms_ingest(%s, 'M-Money', %s)", (sms(5), RECEIVED_AT))
    body = json.dumps({"message": sms(5), "msisdn": "M-Money", "receivedAt": RECEIVED_AT})
    try:
        response = client.post(
            "/functions/v1/momo-sms-hook", data=body, content_type="application/json"
        )
    finally:
        blocker.rollback()
        blocker.close()

    assert response.status_code == 503
    assert response.get_json() == {
        "ok": False,
        "error": {"code": "unavailable", "message": "database unavailable"},
    }
    assert inbox(admin) == []
