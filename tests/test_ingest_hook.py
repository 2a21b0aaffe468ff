"""POST /functions/v1/momo-sms-hook: what is stored, dedupe, and every bad input.

Every rejection test starts with one SMS already stored and checks that the
rejected request neither added a row nor counted a duplicate.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
from datetime import UTC, datetime

import psycopg
import pytest
from werkzeug.test import EnvironBuilder

from api import close_app, context, create_app
from api.config import Settings
from tests.support.gateways import HOOK
from tests.support.ingest import assert_error, inbox_state

SMS = {
    "message": "You have received RWF 12,000 from JEAN MUGABO (*********123) on your "
    "mobile money account at 2025-01-18 16:20:00. Ref: 7781234. Balance: RWF 40,500.",
    "msisdn": "M-Money",
    "receivedAt": "2025-01-18T14:20:00Z",
    "ingestSource": "modem-1",
    "metadata": {"gatewayId": "gw-7", "simSlot": 2},
}


def inbox_row(admin: psycopg.Connection, inbox_id: str) -> dict:
    cur = admin.cursor(row_factory=psycopg.rows.dict_row)
    row = cur.execute("select * from momo_sms_inbox where id = %s", (int(inbox_id),)).fetchone()
    assert row is not None, f"inbox row {inbox_id} is not in the database"
    return row


def post(client, payload: object):
    return client.post(HOOK, data=json.dumps(payload), content_type="application/json")


def expected_hash(message: str, msisdn: str | None, received_at: str | None) -> str:
    text = f"{message}|{msisdn or ''}|{received_at or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def stored(client, admin) -> str:
    """One SMS already in the inbox, so a rejection could wrongly count it as a duplicate."""
    response = post(client, SMS)
    assert response.status_code == 200
    assert inbox_state(admin) == (1, 0)
    return response.get_json()["inboxId"]


# --- first delivery ---------------------------------------------------------------------------


def test_first_delivery_returns_ok_and_the_new_inbox_id(client, admin):
    response = post(client, SMS)

    assert response.status_code == 200
    body = response.get_json()
    assert body == {"ok": True, "inboxId": body["inboxId"]}
    assert isinstance(body["inboxId"], str) and body["inboxId"].isdigit()
    # A 200 means committed: another session (admin) already sees the row.
    assert inbox_state(admin) == (1, 0)
    assert inbox_row(admin, body["inboxId"])["raw_text"] == SMS["message"]


def test_first_delivery_stores_every_field_as_given(client, admin):
    inbox_id = post(client, SMS).get_json()["inboxId"]

    row = inbox_row(admin, inbox_id)
    assert row["hash"] == expected_hash(SMS["message"], SMS["msisdn"], SMS["receivedAt"])
    assert row["raw_text"] == SMS["message"]
    assert row["msisdn_raw"] == "M-Money"
    assert row["received_at"] == datetime(2025, 1, 18, 14, 20, tzinfo=UTC)
    assert row["ingest_source"] == "modem-1"
    assert row["metadata"] == {"gatewayId": "gw-7", "simSlot": 2}
    assert row["duplicate_count"] == 0
    assert row["last_duplicate_at"] is None
    assert row["processed_at"] is None  # waiting for the allocator
    assert row["attempts"] == 0


# --- dedupe -----------------------------------------------------------------------------------


def test_repeat_delivery_returns_duplicate_and_counts_it(client, admin):
    first = post(client, SMS).get_json()

    second = post(client, SMS)
    third = post(client, SMS)

    for response in (second, third):
        assert response.status_code == 200
        assert response.get_json() == {"ok": True, "duplicate": True, "inboxId": first["inboxId"]}
    assert inbox_state(admin) == (1, 2)
    row = inbox_row(admin, first["inboxId"])
    assert row["last_duplicate_at"] is not None
    assert row["last_duplicate_at"] >= row["ingested_at"]


@pytest.mark.parametrize(
    "payload",
    [
        SMS,
        {"message": "only a message"},
        {"message": "null msisdn", "msisdn": None, "receivedAt": None},
        {"message": "no time", "msisdn": "+250788000001"},
        {"message": "no sender", "receivedAt": "2025-01-18T16:20:00+02:00"},
        {"message": "Wakiriye 5,000 RWF — «ÉPARGNE» 💸", "msisdn": "MTN", "receivedAt": None},
    ],
    ids=["all-fields", "message-only", "explicit-nulls", "no-received-at", "no-msisdn", "unicode"],
)
def test_dedupe_hash_is_sha256_of_message_msisdn_received_at(client, admin, payload):
    inbox_id = post(client, payload).get_json()["inboxId"]

    row = inbox_row(admin, inbox_id)
    assert row["hash"] == expected_hash(
        payload["message"], payload.get("msisdn"), payload.get("receivedAt")
    )


def test_absent_fields_hash_like_empty_strings(client, admin):
    """An absent msisdn/receivedAt and an empty msisdn give the same hash: one SMS."""
    first = post(client, {"message": "same text"}).get_json()
    again = post(client, {"message": "same text", "msisdn": "", "receivedAt": None}).get_json()

    assert again == {"ok": True, "duplicate": True, "inboxId": first["inboxId"]}
    assert inbox_state(admin) == (1, 1)


def test_a_different_msisdn_or_received_at_is_a_different_sms(client, admin):
    ids = {
        post(client, {**SMS, "msisdn": "M-Money"}).get_json()["inboxId"],
        post(client, {**SMS, "msisdn": "MTN"}).get_json()["inboxId"],
        post(client, {**SMS, "receivedAt": "2025-01-18T14:20:01Z"}).get_json()["inboxId"],
        post(client, {**SMS, "message": SMS["message"] + "."}).get_json()["inboxId"],
    }

    assert len(ids) == 4
    assert inbox_state(admin) == (4, 0)


def test_ingest_source_and_metadata_are_not_part_of_the_hash(client, admin):
    first = post(client, SMS).get_json()

    again = post(client, {**SMS, "ingestSource": "modem-2", "metadata": {"other": True}})

    assert again.get_json() == {"ok": True, "duplicate": True, "inboxId": first["inboxId"]}
    row = inbox_row(admin, first["inboxId"])
    assert (row["ingest_source"], row["metadata"]) == ("modem-1", SMS["metadata"])
    assert inbox_state(admin) == (1, 1)


# --- stored values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "instant"),
    [
        ("2025-01-18T14:20:00Z", datetime(2025, 1, 18, 14, 20, tzinfo=UTC)),
        ("2025-01-18T16:20:00+02:00", datetime(2025, 1, 18, 14, 20, tzinfo=UTC)),
        ("2025-01-18T09:20:00.123456-05:00", datetime(2025, 1, 18, 14, 20, 0, 123456, UTC)),
        ("2025-01-18 15:20+0100", datetime(2025, 1, 18, 14, 20, tzinfo=UTC)),
        ("2024-12-31T23:59:59-15:59", datetime(2025, 1, 1, 15, 58, 59, tzinfo=UTC)),
    ],
)
def test_received_at_is_stored_as_the_instant_given(client, admin, received_at, instant):
    inbox_id = post(client, {"message": "m", "receivedAt": received_at}).get_json()["inboxId"]

    assert inbox_row(admin, inbox_id)["received_at"] == instant


def test_received_at_defaults_to_the_time_of_ingest(client, admin):
    inbox_id = post(client, {"message": "no time given"}).get_json()["inboxId"]

    row = inbox_row(admin, inbox_id)
    assert row["received_at"] == row["ingested_at"]


@pytest.mark.parametrize("payload", [{"message": "m"}, {"message": "m", "ingestSource": None}])
def test_ingest_source_defaults_to_gateway(client, admin, payload):
    inbox_id = post(client, payload).get_json()["inboxId"]

    assert inbox_row(admin, inbox_id)["ingest_source"] == "gateway"


@pytest.mark.parametrize(
    "metadata",
    [
        {
            "gateway": {"id": "gw-7", "battery": 0.87, "tags": ["a", "b", None, True]},
            "big": 123456789012345678901234567890,
            "amount": "12,000",
            "négatif": -1.5,
            "emoji": "💸",
            "empty": {},
        },
        ["a", 1, 2.5, False, None, {"k": "v"}],
        "just a string",
        42,
        True,
    ],
    ids=["object", "array", "string", "number", "boolean"],
)
def test_metadata_is_stored_as_given(client, admin, metadata):
    inbox_id = post(client, {"message": "m", "metadata": metadata}).get_json()["inboxId"]

    assert inbox_row(admin, inbox_id)["metadata"] == metadata


@pytest.mark.parametrize("payload", [{"message": "m"}, {"message": "m", "metadata": None}])
def test_absent_or_null_metadata_is_stored_as_null(client, admin, payload):
    inbox_id = post(client, payload).get_json()["inboxId"]

    assert inbox_row(admin, inbox_id)["metadata"] is None


@pytest.mark.parametrize("message", ["m" * 2000, "é" * 2000, "💸" * 2000])
def test_message_of_2000_characters_is_accepted(client, admin, message):
    inbox_id = post(client, {"message": message}).get_json()["inboxId"]

    assert inbox_row(admin, inbox_id)["raw_text"] == message


# --- bad input: 400 naming the field, nothing stored ------------------------------------------

NESTED_TOO_DEEP = json.dumps({"message": "m", "metadata": json.loads("[" * 40 + "]" * 40)})


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"", "invalid_json", None),
        (b"not json", "invalid_json", None),
        (b'{"message": "unterminated', "invalid_json", None),
        (b"[]", "invalid_json", None),
        (b'["message"]', "invalid_json", None),
        (b'"message"', "invalid_json", None),
        (b"null", "invalid_json", None),
        (b'{"message": "m", "metadata": NaN}', "invalid_json", None),
        (b'{"message": "m", "metadata": Infinity}', "invalid_json", None),
        (b'{"message": "m", "metadata": -Infinity}', "invalid_json", None),
        (b'{"message": "\xff\xfe bad utf-8"}', "invalid_json", None),
        (
            b'{"message": "m", "metadata": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
            "invalid_json",
            None,
        ),
        (b'{"message": "m", "metadata": 1' + b"0" * 5000 + b"}", "invalid_json", None),
        (b'{"msisdn": "+250788000001"}', "invalid_field", "message"),
        (b'{"message": null}', "invalid_field", "message"),
        (b'{"message": 42}', "invalid_field", "message"),
        (b'{"message": ["m"]}', "invalid_field", "message"),
        (b'{"message": {"text": "m"}}', "invalid_field", "message"),
        (b'{"message": true}', "invalid_field", "message"),
        (b'{"message": ""}', "invalid_input", "message"),
        (b'{"message": "  \\t\\n "}', "invalid_input", "message"),
        (json.dumps({"message": "m" * 2001}).encode(), "invalid_input", "message"),
        (json.dumps({"message": "💸" * 2001}).encode(), "invalid_input", "message"),
        (b'{"message": "a\\u0000b"}', "invalid_field", "message"),
        (b'{"message": "lone \\ud800 surrogate"}', "invalid_field", "message"),
        (b'{"message": "raw surrogate \xed\xa0\x80 bytes"}', "invalid_field", "message"),
        (b'{"message": "m", "msisdn": 250788000001}', "invalid_field", "msisdn"),
        (b'{"message": "m", "msisdn": "a\\u0000"}', "invalid_field", "msisdn"),
        (json.dumps({"message": "m", "msisdn": "1" * 65}).encode(), "invalid_input", "msisdn"),
        (b'{"message": "m", "receivedAt": 1737210000}', "invalid_field", "receivedAt"),
        (b'{"message": "m", "receivedAt": "yesterday"}', "invalid_input", "receivedAt"),
        (b'{"message": "m", "receivedAt": "2025-01-18T14:20:00"}', "invalid_input", "receivedAt"),
        (b'{"message": "m", "receivedAt": "2025-01-18"}', "invalid_input", "receivedAt"),
        (b'{"message": "m", "receivedAt": "2025-13-01T00:00:00Z"}', "invalid_input", "receivedAt"),
        (b'{"message": "m", "receivedAt": "2025-02-30T00:00:00Z"}', "invalid_input", "receivedAt"),
        (b'{"message": "m", "receivedAt": "2025-01-18T25:00:00Z"}', "invalid_input", "receivedAt"),
        (b'{"message": "m", "receivedAt": "0000-01-01T00:00:00Z"}', "invalid_input", "receivedAt"),
        (
            b'{"message": "m", "receivedAt": "2025-01-18T14:20:00+16:00"}',
            "invalid_input",
            "receivedAt",
        ),
        (
            b'{"message": "m", "receivedAt": "2025-01-18T14:20:00+99:99"}',
            "invalid_input",
            "receivedAt",
        ),
        (b'{"message": "m", "ingestSource": 7}', "invalid_field", "ingestSource"),
        (b'{"message": "m", "ingestSource": ""}', "invalid_input", "ingestSource"),
        (b'{"message": "m", "ingestSource": "   "}', "invalid_input", "ingestSource"),
        (
            json.dumps({"message": "m", "ingestSource": "s" * 65}).encode(),
            "invalid_input",
            "ingestSource",
        ),
        (b'{"message": "m", "metadata": {"k": "a\\u0000"}}', "invalid_field", "metadata"),
        (b'{"message": "m", "metadata": {"a\\u0000": 1}}', "invalid_field", "metadata"),
        (b'{"message": "m", "metadata": ["\\udfff"]}', "invalid_field", "metadata"),
        (b'{"message": "m", "metadata": 1e999}', "invalid_field", "metadata"),
        (NESTED_TOO_DEEP.encode(), "invalid_field", "metadata"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(
    client, admin, stored, body, code, field
):
    response = client.post(HOOK, data=body, content_type="application/json")

    assert_error(response, 400, code, field)
    assert inbox_state(admin) == (1, 0)


def test_a_bad_repeat_of_a_stored_sms_does_not_count_a_duplicate(client, admin, stored):
    response = post(client, {**SMS, "ingestSource": ""})

    assert_error(response, 400, "invalid_input", "ingestSource")
    assert inbox_state(admin) == (1, 0)


# --- methods, paths, sizes --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD"])
def test_wrong_method_is_405_and_stores_nothing(client, admin, stored, method):
    response = client.open(
        HOOK, method=method, data=json.dumps(SMS), content_type="application/json"
    )

    assert response.status_code == 405
    if method != "HEAD":  # a HEAD answer has no body
        assert_error(response, 405, "method_not_allowed")
    assert inbox_state(admin) == (1, 0)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/functions/v1/momo-sms-hooks"),
        ("POST", HOOK + "/extra"),
        ("POST", "/functions/v1/unknown"),
        ("GET", "/"),
        ("GET", "/nope"),
    ],
)
def test_unknown_path_is_404_and_stores_nothing(client, admin, stored, method, path):
    response = client.open(
        path, method=method, data=json.dumps(SMS), content_type="application/json"
    )

    assert_error(response, 404, "not_found")
    assert inbox_state(admin) == (1, 0)


def padded_body(size: int) -> bytes:
    """A valid SMS body of exactly `size` bytes (padding in metadata)."""
    base = json.dumps({"message": "padded sms", "metadata": {"pad": ""}}).encode()
    body = json.dumps({"message": "padded sms", "metadata": {"pad": "x" * (size - len(base))}})
    assert len(body.encode()) == size
    return body.encode()


def test_body_of_exactly_64_kib_is_accepted(client, admin):
    response = client.post(HOOK, data=padded_body(64 * 1024), content_type="application/json")

    assert response.status_code == 200
    assert inbox_state(admin) == (1, 0)


def test_body_over_64_kib_is_413_and_stores_nothing(client, admin, stored):
    response = client.post(HOOK, data=padded_body(64 * 1024 + 1), content_type="application/json")

    assert_error(response, 413, "request_entity_too_large")
    assert inbox_state(admin) == (1, 0)


def test_body_limit_follows_the_settings(make_app, admin):
    client = make_app(max_body_bytes=2048).test_client()

    accepted = client.post(HOOK, data=padded_body(2048), content_type="application/json")
    assert accepted.status_code == 200
    assert inbox_state(admin) == (1, 0)
    response = client.post(HOOK, data=padded_body(2049), content_type="application/json")
    assert_error(response, 413, "request_entity_too_large")
    assert inbox_state(admin) == (1, 0)


def chunked_environ(body: bytes) -> dict:
    """A request without Content-Length, as gunicorn passes a chunked body."""
    environ = EnvironBuilder(
        path=HOOK, method="POST", input_stream=io.BytesIO(body), content_type="application/json"
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    return environ


def test_chunked_body_within_the_limit_is_accepted(client, admin):
    response = client.open(chunked_environ(padded_body(64 * 1024)))

    assert response.status_code == 200
    assert inbox_state(admin) == (1, 0)


def test_chunked_body_over_the_limit_is_413_and_stores_nothing(client, admin, stored):
    response = client.open(chunked_environ(padded_body(64 * 1024 + 1)))

    assert_error(response, 413, "request_entity_too_large")
    assert inbox_state(admin) == (1, 0)


# --- failures of our own ----------------------------------------------------------------------


def test_unexpected_failure_is_500_json_without_details(make_app, admin, monkeypatch):
    app = make_app()

    def broken(_delivery):
        raise RuntimeError("connection string postgresql://secret@db")

    monkeypatch.setattr(context.ingest_committer(app), "store", broken)
    response = post(app.test_client(), SMS)

    assert_error(response, 500, "internal_error")
    assert "secret" not in response.get_data(as_text=True)
    assert inbox_state(admin) == (0, 0)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_unreachable_is_503(admin):
    app = create_app(
        Settings(database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/x", pool_size=1)
    )
    try:
        response = post(app.test_client(), SMS)
    finally:
        close_app(app)

    assert_error(response, 503, "unavailable")
    assert inbox_state(admin) == (0, 0)
