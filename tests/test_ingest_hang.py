"""A database connection that stops answering (its backend stopped with SIGSTOP, as a network
drop would look) must not hold the worker's deliveries: they get 503 while the backend is still
stopped, nothing acknowledged is lost, and ingest goes on over a new connection.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from api import context
from tests.support.gateways import HOOK
from tests.support.ingest import inbox_state


def body(n: int) -> str:
    return json.dumps(
        {
            "message": f"You have received RWF {n},000 from HANG {n}. Ref: {900 + n}.",
            "msisdn": "M-Money",
            "receivedAt": "2025-01-18T14:20:00Z",
        }
    )


def backend_gone(admin: psycopg.Connection, pid: int) -> bool:
    row = admin.execute("select count(*) from pg_stat_activity where pid = %s", (pid,)).fetchone()
    return row is not None and row[0] == 0


def test_a_stopped_backend_gives_503_and_ingest_recovers(admin, make_app):
    app = make_app(ingest_timeout_seconds=1)
    client = app.test_client()
    first = client.post(HOOK, data=body(0), content_type="application/json")
    assert first.status_code == 200
    committer = context.ingest_committer(app)
    pid = committer._conn.info.backend_pid  # the worker's own ingest connection

    answers: dict[int, tuple[int, dict]] = {}
    stopped = threading.Event()
    os.kill(pid, signal.SIGSTOP)
    stopped.set()
    try:

        def deliver(n: int) -> None:
            started = time.monotonic()
            response = app.test_client().post(HOOK, data=body(n), content_type="application/json")
            # Answered while the backend is still stopped: nobody waited for it, and
            # within the bound (1 s, the watchdog looks every 0.25 s) plus slack for load.
            assert stopped.is_set()
            assert time.monotonic() - started < 4
            answers[n] = (response.status_code, response.get_json())

        with ThreadPoolExecutor(6) as pool:
            list(pool.map(deliver, range(1, 7)))
        assert backend_gone(admin, pid) is False  # still there, still stopped
        assert {status for status, _ in answers.values()} <= {200, 503}
        assert 503 in {status for status, _ in answers.values()}

        # The next delivery goes over a new connection while the old backend sleeps.
        during = app.test_client().post(HOOK, data=body(7), content_type="application/json")
        assert during.status_code == 200
        answers[7] = (during.status_code, during.get_json())
    finally:
        os.kill(pid, signal.SIGCONT)

    deadline = time.monotonic() + 30
    while not backend_gone(admin, pid) and time.monotonic() < deadline:
        time.sleep(0.05)

    # Nothing acknowledged is lost.
    acknowledged = [int(a["inboxId"]) for status, a in answers.values() if status == 200]
    stored = {row[0] for row in admin.execute("select id from momo_sms_inbox")}
    assert set(acknowledged) <= stored
    # The gateway retries what got 503: each SMS ends up stored exactly once.
    for n, (status, _) in sorted(answers.items()):
        if status != 200:
            retry = app.test_client().post(HOOK, data=body(n), content_type="application/json")
            assert retry.status_code == 200
    rows, _ = inbox_state(admin)
    assert rows == 8
