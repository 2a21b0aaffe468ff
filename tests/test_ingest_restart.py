"""PostgreSQL restarts under a running app: the first delivery after it commits.

The pool checks a connection before handing it out (psycopg_pool check_connection),
and the ingest group committer drops a connection the server ended while it was idle
(api/group_commit.py), so neither hands a request a dead connection. The restart is
real: the test cluster's own server, restarted with pg_ctl (tests/support/cluster.py).
"""

from __future__ import annotations

import io
import json
import logging

import psycopg

from api.logs import JsonLineHandler
from tests.support.cluster import closed_port, restart_cluster
from tests.support.gateways import post_to_hook


def spec_sms(text: str) -> bytes:
    """The spec's request body (README "HTTP API"), as a forwarder posts it."""
    return json.dumps({"message": text, "msisdn": "M-Money", "ingestSource": "modem-1"}).encode()


def test_first_delivery_and_pool_request_after_a_postgresql_restart_succeed(
    make_app, admin, db_url
):
    app = make_app()
    assert post_to_hook(app, spec_sms("before the restart")).status_code == 200
    assert app.test_client().get("/readyz").status_code == 200  # the pool holds a connection

    restart_cluster(admin)

    delivered = post_to_hook(app, spec_sms("first after the restart"))
    assert delivered.status_code == 200, delivered.get_json()
    assert app.test_client().get("/readyz").status_code == 200
    with psycopg.connect(db_url) as conn:
        stored = conn.execute("select raw_text from momo_sms_inbox order by id").fetchall()
    assert stored == [("before the restart",), ("first after the restart",)]


def test_pool_and_driver_log_lines_are_json(app_from_env):
    """The pool's own warning while PostgreSQL is unreachable ("error connecting in
    'app_ingest'"), written by its logger, is one JSON object per line like the app's."""
    app = app_from_env(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{closed_port()}/baskets")
    handler = next(
        h for h in logging.getLogger("psycopg.pool").handlers if type(h) is JsonLineHandler
    )
    captured = io.StringIO()
    previous = handler.setStream(captured)
    try:
        assert app.test_client().get("/readyz").status_code == 503
    finally:
        handler.setStream(previous)  # type: ignore[arg-type]

    records = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert records, "the pool logged nothing"
    assert all(r["event"] == "psycopg.pool" and r["level"] == "WARNING" for r in records)
    assert any("error connecting in 'app_ingest'" in r["message"] for r in records)
