"""The hook's structured log lines: the runbook's event names, never the secret or the SMS."""

from __future__ import annotations

import hashlib
import hmac
import io
import ipaddress
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from api.config import ConfigError, Settings
from api.logs import JsonLineHandler, configure_logging, log_event
from tests.support.gateways import post_to_hook

SECRET = "log-test-secret-7f3a9c"
# A marker that appears only in SMS text: if any log line contains it, an SMS leaked.
MARKER = "PAYER-XJ42-KAMANZI"
MESSAGE = f"You have received RWF 7,500 from {MARKER} (*******915). Ref: 5561."


def sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture
def log_stream(monkeypatch) -> Iterator[io.StringIO]:
    """The app's stderr, captured at its own handler."""
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    configure_logging()
    # pytest attaches its own capture handlers to the logger too.
    handlers = [h for h in logging.getLogger("baskets").handlers if type(h) is JsonLineHandler]
    assert len(handlers) == 1, "the app logs through one stderr handler"
    captured = io.StringIO()
    previous = handlers[0].setStream(captured)
    yield captured
    handlers[0].setStream(previous)  # type: ignore[arg-type]


@pytest.fixture
def app(make_app, log_stream: io.StringIO) -> Flask:
    app = make_app(
        hmac_secrets=(SECRET.encode(),), allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),)
    )
    assert SECRET not in log_stream.getvalue()
    log_stream.seek(0)
    log_stream.truncate()  # keep what the requests log, not the start-up warnings
    return app


@pytest.fixture
def log_text(log_stream: io.StringIO) -> Callable[[], str]:
    return log_stream.getvalue


def parse(text: str) -> list[dict]:
    """The hook's events; every line is JSON, and none holds the secret or any SMS text."""
    assert SECRET not in text
    assert MARKER not in text
    lines = [json.loads(line) for line in text.splitlines()]
    return [line for line in lines if line["event"].startswith("momo_sms_hook.")]


def post(app: Flask, payload: dict, signature: str | None = "valid", remote_addr="127.0.0.1"):
    body = json.dumps(payload).encode()
    headers = {}
    if signature == "valid":
        headers["X-Signature"] = sign(body)
    elif signature is not None:
        headers["X-Signature"] = signature
    return post_to_hook(app, body, headers, environ_base={"REMOTE_ADDR": remote_addr})


def events(lines: list[dict], name: str) -> list[dict]:
    return [line for line in lines if line["event"] == name]


def test_every_line_is_a_json_object_with_time_level_and_event(app, log_text):
    post(app, {"message": MESSAGE})
    post(app, {"message": MESSAGE})
    post(app, {"message": MESSAGE}, signature="bad")

    for line in log_text().splitlines():
        record = json.loads(line)
        assert isinstance(record["ts"], float)
        assert record["level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
        assert isinstance(record["event"], str)
    assert [line["event"] for line in parse(log_text())] == [
        "momo_sms_hook.received",
        "momo_sms_hook.duplicate",
        "momo_sms_hook.rejected",
    ]


def test_first_delivery_logs_received_without_the_sms_or_the_secret(app, log_text):
    response = post(app, {"message": MESSAGE, "msisdn": "M-Money", "ingestSource": "modem-1"})

    [received] = events(parse(log_text()), "momo_sms_hook.received")
    assert received["level"] == "INFO"
    assert received["inboxId"] == response.get_json()["inboxId"]
    assert received["ingestSource"] == "modem-1"
    assert received["client"] == "127.0.0.1"
    assert "message" not in received


def test_repeat_delivery_logs_duplicate(app, log_text):
    inbox_id = post(app, {"message": MESSAGE}).get_json()["inboxId"]
    post(app, {"message": MESSAGE})

    lines = parse(log_text())
    assert [line["event"] for line in lines] == [
        "momo_sms_hook.received",
        "momo_sms_hook.duplicate",
    ]
    assert lines[1]["inboxId"] == inbox_id


@pytest.mark.parametrize(
    ("payload", "signature", "remote_addr", "status", "reason", "field"),
    [
        ({"message": MESSAGE}, None, "127.0.0.1", 401, "signature", None),
        ({"message": MESSAGE}, sign(b"other body"), "127.0.0.1", 401, "signature", None),
        ({"message": MESSAGE}, "valid", "203.0.113.9", 403, "ip", None),
        ({"message": MESSAGE, "pad": "x" * 70_000}, "valid", "127.0.0.1", 413, "too_large", None),
        ({"message": MESSAGE * 30}, "valid", "127.0.0.1", 400, "invalid_input", "message"),
        ({"message": 5, "msisdn": MARKER}, "valid", "127.0.0.1", 400, "invalid_field", "message"),
        (
            {"message": MESSAGE, "receivedAt": MARKER},
            "valid",
            "127.0.0.1",
            400,
            "invalid_input",
            "receivedAt",
        ),
    ],
    ids=["unsigned", "bad-signature", "ip", "too-large", "too-long", "wrong-type", "bad-time"],
)
def test_rejection_logs_the_reason_without_the_sms_or_the_secret(
    app, log_text, payload, signature, remote_addr, status, reason, field
):
    response = post(app, payload, signature=signature, remote_addr=remote_addr)

    assert response.status_code == status
    [rejected] = parse(log_text())
    assert rejected["event"] == "momo_sms_hook.rejected"
    assert rejected["level"] == "WARNING"
    assert rejected["reason"] == reason
    assert rejected["status"] == status
    assert rejected["field"] == field
    assert rejected["client"] == remote_addr


def test_log_level_warning_drops_info_events_and_keeps_rejections(log_stream, monkeypatch):
    monkeypatch.setattr(logging.getLogger("baskets"), "level", logging.WARNING)

    log_event("momo_sms_hook.received", inboxId="1")
    log_event("momo_sms_hook.rejected", logging.WARNING, reason="ip")

    assert [line["event"] for line in parse(log_stream.getvalue())] == ["momo_sms_hook.rejected"]


def test_create_app_takes_the_log_level_from_its_settings(make_app, log_stream, monkeypatch):
    logger = logging.getLogger("baskets")
    monkeypatch.setattr(logger, "level", logger.level)  # restored after the test
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")  # only Settings.from_env reads the environment

    make_app(log_level="WARNING")

    assert logger.level == logging.WARNING
    assert Settings.from_env({"DATABASE_URL": "postgresql://x"}).log_level == "INFO"
    env = {"DATABASE_URL": "postgresql://x", "LOG_LEVEL": "ERROR"}
    assert Settings.from_env(env).log_level == "ERROR"


@pytest.mark.parametrize("value", ["", "info", "LOUD"])
def test_an_unknown_log_level_refuses_to_start(value):
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        Settings.from_env({"DATABASE_URL": "postgresql://x", "LOG_LEVEL": value})


def test_another_handler_gets_the_same_line_through_the_logging_path(log_stream):
    """The direct write is only a shortcut: with more handlers attached, each gets the record."""
    logger = logging.getLogger("baskets")
    other = io.StringIO()
    extra = logging.StreamHandler(other)
    logger.addHandler(extra)
    try:
        log_event("momo_sms_hook.duplicate", inboxId="42", client="127.0.0.1")
    finally:
        logger.removeHandler(extra)

    assert log_stream.getvalue() == other.getvalue()
    [line] = parse(other.getvalue())
    assert line["event"] == "momo_sms_hook.duplicate"
    assert line["inboxId"] == "42"
    assert line["level"] == "INFO"


def test_a_filter_on_the_handler_is_honoured(log_stream):
    [handler] = [h for h in logging.getLogger("baskets").handlers if type(h) is JsonLineHandler]
    handler.addFilter(lambda record: False)
    try:
        log_event("momo_sms_hook.received", inboxId="1")
    finally:
        handler.filters.clear()

    assert log_stream.getvalue() == ""


class _BrokenStream(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError("stderr is gone")


def test_a_failed_write_is_reported_not_raised(log_stream, monkeypatch, capsys):
    """As logging's own emit(): a log line that cannot be written must not fail the request."""
    [handler] = [h for h in logging.getLogger("baskets").handlers if type(h) is JsonLineHandler]
    monkeypatch.setattr(handler, "stream", _BrokenStream())

    log_event("momo_sms_hook.received", inboxId="7")

    assert "stderr is gone" in capsys.readouterr().err
