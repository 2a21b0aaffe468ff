"""The production server as `make run` starts it: gunicorn, api/gunicorn_conf.py, gevent workers.

The other HTTP tests call the Flask app in-process with threads; this one proves
the served configuration: gevent-patched psycopg, the per-worker group commit,
per-worker sockets (reuse_port), HMAC on, and the committer's totals logged
when a worker stops.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from tests.support.gateways import HOOK, fixture_json, sms_gate_headers

# Starts gunicorn servers and sends them concurrent deliveries.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
SECRET = "server-test-secret-51c2"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, db_url: str, log: Path, **extra_env: str) -> None:
        self.port = free_port()
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "MOMO_SMS_HMAC_SECRET": SECRET,
            "LOG_LEVEL": "INFO",
            **extra_env,
        }
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "--config",
                    "api/gunicorn_conf.py",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "api:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.1)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            conn.close()

    def post_sms(self, message: str, secret: str = SECRET) -> tuple[int, dict]:
        body = json.dumps(
            {"message": message, "msisdn": "M-Money", "receivedAt": "2025-01-18T14:20:00Z"}
        ).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Signature": signature}
        return self.request("POST", HOOK, body, headers)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        return self.log.read_text()


@pytest.fixture
def server(db_url: str, admin: psycopg.Connection, tmp_path: Path) -> Iterator[Server]:
    running = Server(db_url, tmp_path / "server.log")
    yield running
    running.stop()


def sms(n: int) -> str:
    return f"You have received RWF {n},000 from SERVED PAYER {n} (*********{n:03d}). Ref: SV{n}."


def test_the_served_app_stores_concurrent_deliveries_once_each(server, admin):
    start = threading.Barrier(16)

    def deliver(n: int) -> tuple[int, dict]:
        start.wait()
        return server.post_sms(sms(n % 64 if n < 64 else 999))  # 64 distinct, then one SMS x16

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(deliver, range(80)))
    refused = server.post_sms(sms(1000), secret="not-the-secret")
    log = server.stop()

    assert [status for status, _ in answers] == [200] * 80
    rows = dict(admin.execute("select raw_text, id from momo_sms_inbox order by id").fetchall())
    assert len(rows) == 65
    assert [body["inboxId"] for _, body in answers[:64]] == [str(rows[sms(n)]) for n in range(64)]
    repeats = [body for _, body in answers[64:]]
    assert {body["inboxId"] for body in repeats} == {str(rows[sms(999)])}
    assert sum(1 for body in repeats if not body.get("duplicate")) == 1
    assert admin.execute(
        "select duplicate_count from momo_sms_inbox where raw_text = %s", (sms(999),)
    ).fetchone() == (15,)
    assert refused[0] == 401 and refused[1]["error"]["code"] == "unauthorized"
    assert sms(1000) not in rows

    # Each worker's committer logs its totals when the worker stops: every accepted
    # delivery went through a group commit, and no SMS text or secret was logged.
    totals = [
        json.loads(line)
        for line in log.splitlines()
        if '"event":"momo_sms_hook.group_commit"' in line
    ]
    assert sum(t["deliveries"] for t in totals) == 80
    assert all(t["fallbacks"] == 0 for t in totals)
    assert "SERVED PAYER" not in log and SECRET not in log


def read_response(sock: socket.socket) -> str:
    """One whole HTTP response (headers, then Content-Length bytes of body) from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return (head + b"\r\n\r\n" + body).decode()


def test_a_body_sent_slowly_is_cut_off_before_the_signature_is_checked(db_url, admin, tmp_path):
    server = Server(db_url, tmp_path / "server.log", MOMO_SMS_BODY_READ_TIMEOUT_SECONDS="1")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(
                f"POST {HOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                'Content-Length: 60000\r\n\r\n{"message": "'.encode()
            )
            # ...and nothing more: the server answers without waiting for the rest.
            answer = read_response(sock)
    finally:
        log = server.stop()
    assert answer.startswith("HTTP/1.1 408"), answer
    assert '"code":"request_timeout"' in answer
    assert '"reason":"slow_body"' in log
    assert admin.execute("select count(*) from momo_sms_inbox").fetchone() == (0,)


def test_the_served_sms_gate_route_stores_a_signed_event(db_url, admin, tmp_path):
    server = Server(
        db_url, tmp_path / "server.log", MOMO_SMS_GATEWAY_SECRET_SMS_GATE="sms-gate-signing-key"
    )
    try:
        body = json.dumps(fixture_json("sms-gate.json")).encode()
        headers = {"Content-Type": "application/json", **sms_gate_headers(body)}
        status, answer = server.request("POST", f"{HOOK}/sms-gate", body, headers)
        again = server.request("POST", f"{HOOK}/sms-gate", body, sms_gate_headers(body))
    finally:
        server.stop()
    assert status == 200 and again[1] == {**answer, "duplicate": True}
    assert admin.execute(
        "select receiving_account, gateway_message_id from momo_sms_inbox"
    ).fetchall() == [("+250788000111", "abc123")]  # payload.recipient, the phone's number


def chunked_request(body: bytes, signature: str) -> bytes:
    """A POST to the hook with a chunked body (no Content-Length), in 8 KiB chunks."""
    chunks = b"".join(
        f"{len(body[i : i + 8192]):x}\r\n".encode() + body[i : i + 8192] + b"\r\n"
        for i in range(0, len(body), 8192)
    )
    return (
        (
            f"POST {HOOK} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"X-Signature: {signature}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()
        + chunks
        + b"0\r\n\r\n"
    )


def test_item_9_a_signed_oversized_chunked_body_is_413_not_401(server, admin):
    """Issue 24 item 9: a correctly signed 70 KB chunked body answered 401."""

    def send(body: bytes) -> str:
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(chunked_request(body, signature))
            return read_response(sock)

    message = {"message": sms(7), "msisdn": "M-Money", "receivedAt": "2025-01-18T14:20:00Z"}
    big = json.dumps({**message, "metadata": {"pad": "x" * (70 * 1024)}}).encode()
    answer = send(big)
    assert answer.startswith("HTTP/1.1 413"), answer
    assert '"code":"request_entity_too_large"' in answer
    assert admin.execute("select count(*) from momo_sms_inbox").fetchone() == (0,)
    # The same delivery within the limit, chunked and signed, is stored.
    answer = send(json.dumps(message).encode())
    assert answer.startswith("HTTP/1.1 200"), answer
    assert admin.execute("select count(*) from momo_sms_inbox").fetchone() == (1,)


def test_every_served_log_line_is_json_the_pool_and_driver_included(tmp_path):
    """With PostgreSQL unreachable the pool logs its own warnings ("error connecting in
    'app_ingest': ..."); under gunicorn they are JSON lines like the app's, none plain text."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    server = Server(f"postgresql://postgres@127.0.0.1:{closed}/baskets", tmp_path / "server.log")
    try:
        status, _answer = server.request("GET", "/readyz")
    finally:
        log = server.stop()
    assert status == 503
    records = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert any(r["event"] == "psycopg.pool" for r in records), log
