"""The gateway routes: each gateway's documented request, signed its way, is stored once with
the right message, sender, time and receiving account; a redelivery with a new envelope is a
duplicate; every forged, replayed or expired request is refused with nothing stored.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
import pytest
from flask import Flask

from api import close_app, create_app
from api.config import Settings
from api.group_commit import BATCH_SQL, Delivery, register_delivery
from tests.support.gateways import (
    ANDROID_INCOME_SECRET,
    GATEWAY_ENV,
    HOOK,
    HTTPSMS_URL,
    body_of,
    fixture_json,
    hex_hmac,
    httpsms_token,
    post_to_hook,
    sms_gate_headers,
    smssync_form,
    standard_webhooks_headers,
)
from tests.support.ingest import inbox_state

SMS_TEXT = fixture_json("sms-gate.json")["payload"]["message"]


@pytest.fixture
def gateway_app(app_from_env) -> Callable[..., Flask]:
    """The real app configured from the environment, every gateway route with its secret."""
    return lambda **env: app_from_env(**{**GATEWAY_ENV, **env})


@pytest.fixture
def app(gateway_app) -> Flask:
    return gateway_app()


def post(app: Flask, route: str, body: bytes, headers: dict[str, str] | None = None, **kw):
    return post_to_hook(app, body, headers, route, **kw)


def stored_row(admin: psycopg.Connection) -> tuple:
    rows = admin.execute(
        "select raw_text, msisdn_raw, received_at, receiving_account, gateway, gateway_message_id, "
        "ingest_source, duplicate_count from momo_sms_inbox"
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def assert_refused(response, admin, status: int = 401) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert inbox_state(admin) == (0, 0)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


# --- sms-gate ----------------------------------------------------------------------------------


def sms_gate_event(**payload_changes) -> dict:
    event = fixture_json("sms-gate.json")
    event["payload"].update(payload_changes)
    return {k: v for k, v in event.items() if v is not None}


def test_sms_gate_documented_request_is_stored_once_with_its_account(app, admin):
    body = body_of(sms_gate_event())

    response = post(app, "sms-gate", body, sms_gate_headers(body))

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer == {"ok": True, "inboxId": answer["inboxId"]}
    assert stored_row(admin) == (
        SMS_TEXT,
        "M-Money",
        at("2025-01-18T14:20:04+00:00"),
        "+250788000111",  # payload.recipient: the phone's own number is the account
        "sms-gate",
        "abc123",
        "sms-gate",
        0,
    )


def test_sms_gate_redelivery_with_a_new_event_id_and_time_is_a_duplicate(app, admin):
    first = body_of(sms_gate_event())
    retry = sms_gate_event(receivedAt="2025-01-18T16:20:09.000+02:00")
    retry["id"] = "another-envelope-id"
    retry_body = body_of(retry)

    one = post(app, "sms-gate", first, sms_gate_headers(first))
    two = post(app, "sms-gate", retry_body, sms_gate_headers(retry_body))

    assert two.status_code == 200
    assert two.get_json() == {"ok": True, "duplicate": True, "inboxId": one.get_json()["inboxId"]}
    assert inbox_state(admin) == (1, 1)


def test_sms_gate_older_versions_name_the_sender_phone_number(app, admin):
    event = sms_gate_event(sender=None, recipient=None, simNumber=None)
    event["payload"] = {k: v for k, v in event["payload"].items() if v is not None}
    event["payload"]["phoneNumber"] = "M-Money"
    body = body_of(event)

    assert post(app, "sms-gate", body, sms_gate_headers(body)).status_code == 200
    row = stored_row(admin)
    assert row[1] == "M-Money"
    # no recipient and no SIM number: the device's one SIM
    assert row[3] == "sms-gate:ffffffffceb0b1db0000018e937c815b/sim1"


def test_sms_gate_other_events_are_acknowledged_and_ignored(app, admin):
    event = sms_gate_event()
    event["event"] = "sms:delivered"
    body = body_of(event)

    response = post(app, "sms-gate", body, sms_gate_headers(body))

    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "ignored": True}
    assert inbox_state(admin) == (0, 0)


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: sms_gate_headers(body, secret="wrong-key"),
        lambda body: sms_gate_headers(body + b" "),  # a signature over other bytes
        lambda body: {**sms_gate_headers(body), "X-Timestamp": str(int(time.time()) + 1)},
        lambda body: sms_gate_headers(body, timestamp=int(time.time()) - 301),
        lambda body: sms_gate_headers(body, timestamp=int(time.time()) + 301),
        lambda body: {"X-Signature": hex_hmac("sms-gate-signing-key", body)},  # body only
        lambda body: {},
    ],
    ids=[
        "wrong-key",
        "other-bytes",
        "timestamp-not-signed",
        "too-old",
        "too-new",
        "no-timestamp",
        "unsigned",
    ],
)
def test_sms_gate_forged_or_stale_requests_are_401_and_store_nothing(app, admin, forge):
    body = body_of(sms_gate_event())

    response = post(app, "sms-gate", body, forge(body))

    assert_refused(response, admin)
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_sms_gate_tolerance_window_is_configurable(gateway_app, admin):
    app = gateway_app(MOMO_SMS_SIGNATURE_TOLERANCE_SECONDS="900")
    body = body_of(sms_gate_event())

    response = post(app, "sms-gate", body, sms_gate_headers(body, timestamp=int(time.time()) - 600))

    assert response.status_code == 200


def test_a_time_far_in_the_future_is_refused(app, admin):
    body = body_of(sms_gate_event(receivedAt="2099-01-01T00:00:00.000+02:00"))

    response = post(app, "sms-gate", body, sms_gate_headers(body))

    assert_refused(response, admin, 400)
    assert response.get_json()["error"]["field"] == "payload.receivedAt"


# --- routes without a secret -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "variable"),
    [
        ("sms-gate", "MOMO_SMS_GATEWAY_SECRET_SMS_GATE"),
        ("httpsms", "MOMO_SMS_GATEWAY_SECRET_HTTPSMS"),
        ("smssync", "MOMO_SMS_GATEWAY_SECRET_SMSSYNC"),
        ("android-income", "MOMO_SMS_GATEWAY_SECRET_ANDROID_INCOME"),
    ],
)
def test_a_route_without_its_secret_refuses_every_request(db_url, admin, route, variable):
    env = {k: v for k, v in GATEWAY_ENV.items() if k != variable}
    app = create_app(Settings.from_env({"DATABASE_URL": db_url, **env}))
    try:
        body = body_of(sms_gate_event())
        response = post(app, route, body, sms_gate_headers(body))
    finally:
        close_app(app)

    assert_refused(response, admin)
    if route != "smssync":
        assert variable in response.get_json()["error"]["message"]


def test_a_gateway_route_refuses_a_caller_outside_the_allow_list(gateway_app, admin):
    app = gateway_app(MOMO_SMS_ALLOWED_IPS="10.0.0.0/8")
    body = body_of(sms_gate_event())

    response = post(app, "sms-gate", body, sms_gate_headers(body))

    assert_refused(response, admin, 403)


def test_an_unknown_gateway_is_404(app, admin):
    assert_refused(post(app, "twilio", b"{}"), admin, 404)


# --- Standard Webhooks on the spec route -------------------------------------------------------

SPEC_BODY = {
    "message": SMS_TEXT,
    "msisdn": "M-Money",
    "receivedAt": "2025-01-18T14:20:04Z",
    "ingestSource": "modem-1",
}


def test_standard_webhooks_request_on_the_spec_route_is_stored(app, admin):
    body = body_of(SPEC_BODY)

    response = post(
        app, "", body, standard_webhooks_headers(body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")
    )

    assert response.status_code == 200, response.get_json()
    row = stored_row(admin)
    assert row[4:7] == ("webhook", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "modem-1")
    assert row[3] is None  # the spec's body names no receiving account: ingest_source stands


def test_standard_webhooks_retry_with_the_same_id_and_a_new_time_is_a_duplicate(app, admin):
    first = body_of(SPEC_BODY)
    retry = body_of({**SPEC_BODY, "receivedAt": "2025-01-18T14:20:09Z"})

    one = post(app, "", first, standard_webhooks_headers(first, "msg_1"))
    two = post(app, "", retry, standard_webhooks_headers(retry, "msg_1"))

    assert two.get_json() == {"ok": True, "duplicate": True, "inboxId": one.get_json()["inboxId"]}
    assert inbox_state(admin) == (1, 1)


def test_a_replayed_standard_webhooks_message_with_a_new_timestamp_is_401(app, admin):
    body = body_of(SPEC_BODY)
    captured = standard_webhooks_headers(body, "msg_1", timestamp=int(time.time()) - 3600)
    replay = {**captured, "webhook-timestamp": str(int(time.time()))}

    assert_refused(post(app, "", body, replay), admin)
    assert_refused(post(app, "", body, captured), admin)  # as captured: outside the window


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: standard_webhooks_headers(body, "msg_1", key=b"another-key"),
        lambda body: standard_webhooks_headers(body + b" ", "msg_1"),
        lambda body: {**standard_webhooks_headers(body, "msg_1"), "webhook-id": "msg_2"},
        lambda body: {**standard_webhooks_headers(body, "msg_1"), "webhook-signature": "v1,"},
        lambda body: {
            **standard_webhooks_headers(body, "msg_1"),
            "webhook-signature": "v2,"
            + standard_webhooks_headers(body, "msg_1")["webhook-signature"][3:],
        },
    ],
    ids=["wrong-key", "other-bytes", "other-id", "empty", "unknown-version"],
)
def test_forged_standard_webhooks_requests_are_401(app, admin, forge):
    body = body_of(SPEC_BODY)
    assert_refused(post(app, "", body, forge(body)), admin)


def test_any_of_several_standard_webhooks_signatures_may_match(app, admin):
    body = body_of(SPEC_BODY)
    headers = standard_webhooks_headers(body, "msg_1")
    headers["webhook-signature"] = "v1,bm90LXRoaXMtb25l " + headers["webhook-signature"]

    assert post(app, "", body, headers).status_code == 200


# --- httpsms -----------------------------------------------------------------------------------


def httpsms_headers(token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or httpsms_token()}"}


def test_httpsms_documented_request_is_stored_once_with_the_owner_as_account(app, admin):
    body = body_of(fixture_json("httpsms.json"))

    response = post(app, "httpsms", body, httpsms_headers())

    assert response.status_code == 200, response.get_json()
    assert stored_row(admin) == (
        SMS_TEXT,
        "M-Money",
        at("2025-01-18T14:20:04.527976+00:00"),  # nanoseconds cut to microseconds
        "+250788000111",
        "httpsms",
        "0f7f6d3c-9c3e-4c43-8a3f-0c9a2a1b3c4d",
        "httpsms",
        0,
    )


def test_httpsms_redelivery_with_a_new_event_id_is_a_duplicate(app, admin):
    event = fixture_json("httpsms.json")
    first = body_of(event)
    retry = copy.deepcopy(event)
    retry["id"] = "a-new-cloud-event-id"
    retry["data"]["timestamp"] = "2025-01-18T14:20:07Z"

    post(app, "httpsms", first, httpsms_headers())
    response = post(app, "httpsms", body_of(retry), httpsms_headers())

    assert response.get_json()["duplicate"] is True
    assert inbox_state(admin) == (1, 1)


@pytest.mark.parametrize(
    "token",
    [
        lambda: httpsms_token(secret="wrong-key"),
        lambda: httpsms_token(exp=int(time.time()) - 400),
        lambda: httpsms_token(nbf=int(time.time()) + 400),
        lambda: httpsms_token(aud="https://attacker.example/hook"),
        lambda: httpsms_token(aud=None),
        lambda: httpsms_token(iss="someone-else"),
        lambda: httpsms_token(sub=None),
        lambda: httpsms_token(exp=None),
        lambda: httpsms_token(nbf=None),
        lambda: httpsms_token(exp=int(time.time()) + 86400),
        lambda: httpsms_token(alg="none"),
        lambda: httpsms_token(alg="HS512"),
        lambda: "not.a.jwt",
    ],
    ids=[
        "wrong-key",
        "expired",
        "not-yet-valid",
        "wrong-audience",
        "no-audience",
        "wrong-issuer",
        "no-subject",
        "no-exp",
        "no-nbf",
        "lives-too-long",
        "alg-none",
        "alg-other",
        "garbage",
    ],
)
def test_httpsms_invalid_tokens_are_401_and_store_nothing(app, admin, token):
    body = body_of(fixture_json("httpsms.json"))
    assert_refused(post(app, "httpsms", body, httpsms_headers(token())), admin)


def test_httpsms_without_a_token_is_401(app, admin):
    assert_refused(post(app, "httpsms", body_of(fixture_json("httpsms.json"))), admin)


def test_httpsms_without_the_webhook_url_refuses_every_request(db_url, admin):
    env = {k: v for k, v in GATEWAY_ENV.items() if k != "MOMO_SMS_GATEWAY_HTTPSMS_URL"}
    app = create_app(Settings.from_env({"DATABASE_URL": db_url, **env}))
    try:
        response = post(app, "httpsms", body_of(fixture_json("httpsms.json")), httpsms_headers())
    finally:
        close_app(app)
    assert_refused(response, admin)


def test_httpsms_other_events_are_ignored_and_encrypted_messages_refused(app, admin):
    sent = fixture_json("httpsms.json")
    sent["type"] = "message.phone.sent"
    encrypted = fixture_json("httpsms.json")
    encrypted["data"]["encrypted"] = True

    ignored = post(app, "httpsms", body_of(sent), httpsms_headers())
    refused = post(app, "httpsms", body_of(encrypted), httpsms_headers())

    assert ignored.get_json() == {"ok": True, "ignored": True}
    assert_refused(refused, admin, 400)


def test_httpsms_audience_is_the_configured_url_exactly(app, admin):
    token = httpsms_token(aud=HTTPSMS_URL + "/")
    assert_refused(
        post(app, "httpsms", body_of(fixture_json("httpsms.json")), httpsms_headers(token)), admin
    )


# --- smssync -----------------------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"


def test_smssync_documented_request_is_stored_and_answered_its_way(app, admin):
    response = post(app, "smssync", smssync_form(), content_type=FORM)

    assert response.status_code == 200
    assert response.get_json() == {"payload": {"success": True, "error": None}}
    assert stored_row(admin) == (
        SMS_TEXT,
        "M-Money",
        at("2025-01-18T14:20:04+00:00"),  # sent_timestamp 1737210004000 is milliseconds
        "+250788000111",
        "smssync",
        "c7b0d5a2-5d1e-4f3a-9a4e-2f6b7c8d9e01",
        "smssync",
        0,
    )


def test_smssync_redelivery_of_the_same_message_id_is_a_duplicate(app, admin):
    post(app, "smssync", smssync_form(), content_type=FORM)
    again = post(app, "smssync", smssync_form(sent_timestamp="1737210009000"), content_type=FORM)

    assert again.get_json() == {"payload": {"success": True, "error": None}}
    assert inbox_state(admin) == (1, 1)


@pytest.mark.parametrize(
    "body",
    [
        lambda: smssync_form(secret="wrong-secret"),
        lambda: smssync_form(secret=""),
        lambda: smssync_form().replace(b"secret=smssync-shared-secret&", b""),
    ],
    ids=["wrong", "empty", "missing"],
)
def test_smssync_wrong_secret_is_refused_in_its_own_shape(app, admin, body):
    response = post(app, "smssync", body(), content_type=FORM)

    assert_refused(response, admin)
    answer = response.get_json()
    assert answer["payload"]["success"] is False
    assert isinstance(answer["payload"]["error"], str)


def test_smssync_without_a_device_number_uses_the_device_id(app, admin):
    post(app, "smssync", smssync_form(sent_to=""), content_type=FORM)
    assert stored_row(admin)[3] == "smssync:1"


# --- android-income ----------------------------------------------------------------------------


def android_income_headers(body: bytes, secret: str = ANDROID_INCOME_SECRET) -> dict[str, str]:
    return {"X-Signature": hex_hmac(secret, body)}


def test_android_income_documented_request_is_stored_once(app, admin):
    body = body_of(fixture_json("android-income.json"))

    response = post(app, "android-income", body, android_income_headers(body))

    assert response.status_code == 200, response.get_json()
    assert stored_row(admin) == (
        SMS_TEXT,
        "M-Money",
        at("2025-01-18T14:20:04+00:00"),  # receivedStamp, epoch milliseconds
        "android-income:sim1",
        "android-income",
        None,
        "android-income",
        0,
    )


def test_android_income_template_may_name_the_receiving_number(app, admin):
    body = body_of({**fixture_json("android-income.json"), "to": "+250788000111"})
    post(app, "android-income", body, android_income_headers(body))
    assert stored_row(admin)[3] == "+250788000111"


def test_android_income_exact_redelivery_is_a_duplicate(app, admin):
    body = body_of(fixture_json("android-income.json"))
    post(app, "android-income", body, android_income_headers(body))
    again = post(app, "android-income", body, android_income_headers(body))
    assert again.get_json()["duplicate"] is True
    assert inbox_state(admin) == (1, 1)


@pytest.mark.parametrize(
    "forge",
    [
        lambda body: android_income_headers(body, "wrong-secret"),
        lambda body: android_income_headers(body + b"\n"),
        lambda body: {},
    ],
    ids=["wrong-secret", "other-bytes", "unsigned"],
)
def test_android_income_bad_signature_is_401(app, admin, forge):
    body = body_of(fixture_json("android-income.json"))
    assert_refused(post(app, "android-income", body, forge(body)), admin)


@pytest.mark.parametrize(
    "stamp", ["1737210004", "17372100040000000", -1, 1.5e12, True, "2025-01-18"]
)
def test_android_income_times_are_epoch_milliseconds(app, admin, stamp):
    body = body_of({**fixture_json("android-income.json"), "receivedStamp": stamp})
    response = post(app, "android-income", body, android_income_headers(body))
    if stamp == "1737210004":  # seconds read as milliseconds: 1970, a valid (odd) time
        assert response.status_code == 200
        assert stored_row(admin)[2] == datetime(1970, 1, 21, 2, 33, 30, 4000, tzinfo=UTC)
    else:
        assert_refused(response, admin, 400)
        assert response.get_json()["error"]["field"] == "receivedStamp"


# --- exactly once under races ------------------------------------------------------------------


def test_parallel_redeliveries_of_one_message_id_store_one_row(admin, connect_as):
    """Eight sessions store the same gateway message id with eight different times at once."""
    sessions = [connect_as("app_ingest") for _ in range(8)]
    start = threading.Barrier(len(sessions))

    def deliver(i: int) -> tuple[int, bool]:
        start.wait()
        row = (
            sessions[i]
            .execute(
                "select inbox_id, duplicate from momo_sms_ingest(%s, 'M-Money', %s, 'sms-gate', "
                "null, 'sms-gate:dev/sim1', 'sms-gate', 'abc123')",
                (SMS_TEXT, f"2025-01-18T14:20:0{i}Z"),
            )
            .fetchone()
        )
        assert row is not None
        return row[0], row[1]

    with ThreadPoolExecutor(len(sessions)) as pool:
        results = list(pool.map(deliver, range(len(sessions))))

    assert len({inbox_id for inbox_id, _ in results}) == 1
    assert sorted(duplicate for _, duplicate in results) == [False] + [True] * 7
    assert inbox_state(admin) == (1, 7)


def test_parallel_sms_gate_retries_through_the_app_store_one_row(app, admin):
    bodies = []
    for i in range(8):
        event = sms_gate_event(receivedAt=f"2025-01-18T16:20:0{i}.000+02:00")
        event["id"] = f"envelope-{i}"
        bodies.append(body_of(event))
    start = threading.Barrier(len(bodies))

    def deliver(body: bytes) -> int:
        client = app.test_client()
        start.wait()
        response = client.post(
            f"{HOOK}/sms-gate",
            data=body,
            content_type="application/json",
            headers=sms_gate_headers(body),
        )
        return response.status_code

    with ThreadPoolExecutor(len(bodies)) as pool:
        statuses = list(pool.map(deliver, bodies))

    # A retry that lost the race on the message id to an uncommitted twin may get 503
    # (lock_timeout) and be retried by the gateway; none may store a second row.
    assert set(statuses) <= {200, 503} and 200 in statuses
    rows, _ = inbox_state(admin)
    assert rows == 1


def test_the_batch_function_takes_the_gateway_fields_for_each_delivery(admin, connect_as):
    ingest = connect_as("app_ingest")
    register_delivery(ingest)
    deliveries = [
        Delivery(message, "M-Money", received_at, "sms-gate", None, "acc", "sms-gate", message_id)
        for message, received_at, message_id in [
            ("a", "2025-01-18T14:20:00Z", "m1"),
            ("b", "2025-01-18T14:20:01Z", "m1"),
            ("c", "2025-01-18T14:20:02Z", "m2"),
            ("a", None, "m3"),
        ]
    ]
    rows = ingest.execute(BATCH_SQL, (deliveries,)).fetchall()

    # b repeats m1 at another time: one of a and b is stored, the other is its duplicate;
    # the last repeats a's text but is new: its own id (and time) make it another SMS.
    assert [o for o, _, _ in rows] == [1, 2, 3, 4]
    assert sorted([rows[0][2], rows[1][2]]) == [False, True]
    assert rows[0][1] == rows[1][1]
    assert [d for _, _, d in rows[2:]] == [False, False]
    assert admin.execute(
        "select gateway_message_id, duplicate_count from momo_sms_inbox order by 1"
    ).fetchall() == [("m1", 1), ("m2", 0), ("m3", 0)]


@pytest.mark.parametrize(
    ("column", "args"),
    [
        ("gateway", ("x", None, None, None, None, None, None, "id-without-gateway")),
        ("gateway", ("x", None, None, None, None, None, "Not A Route", None)),
        ("receivingAccount", ("x", None, None, None, None, "", None, None)),
        ("gatewayMessageId", ("x", None, None, None, None, None, "sms-gate", "i" * 201)),
    ],
)
def test_bad_gateway_fields_are_mm400_naming_them(admin, connect_as, column, args):
    with pytest.raises(psycopg.Error) as raised:
        connect_as("app_ingest").execute(
            "select momo_sms_ingest(%s, %s, %s, %s, %s, %s, %s, %s)", args
        )
    assert raised.value.sqlstate == "MM400"
    assert raised.value.diag.column_name == column
    assert inbox_state(admin) == (0, 0)


def test_json_of_every_answer_is_compact_and_parseable(app, admin):
    body = body_of(sms_gate_event())
    response = post(app, "sms-gate", body, sms_gate_headers(body))
    assert json.loads(response.get_data()) == response.get_json()


def test_gateway_secrets_rotate_like_the_spec_route(gateway_app, admin):
    app = gateway_app(MOMO_SMS_GATEWAY_SECRET_SMS_GATE=" old-key , new-key ")
    first = body_of(sms_gate_event())
    second = body_of(sms_gate_event(messageId="another", message=SMS_TEXT + " 2"))

    assert post(app, "sms-gate", first, sms_gate_headers(first, "old-key")).status_code == 200
    assert post(app, "sms-gate", second, sms_gate_headers(second, "new-key")).status_code == 200
    assert inbox_state(admin) == (2, 0)


def test_gateway_secret_variables_are_read_per_route():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://x",
            "MOMO_SMS_GATEWAY_SECRET_SMS_GATE": "a,b",
            "MOMO_SMS_GATEWAY_SECRET_ANDROID_INCOME": "c",
            "MOMO_SMS_GATEWAY_SECRET_SMSSYNC": " , ",
        }
    )
    assert dict(settings.gateway_secrets) == {"sms-gate": (b"a", b"b"), "android-income": (b"c",)}
