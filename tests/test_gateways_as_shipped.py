"""Every gateway route fed exactly what the real app sends (issue 21), built from each
app's own source and documentation (named per test), not from this project's routes:
android-income's static header, SMSSync's test request, PUT, XML and error shape, one
phone as one account through any app, and the carrying over of an old account name.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import quote_plus

import psycopg
import pytest
from flask import Flask

from tests.support.allocation import add_group, add_member, allocate
from tests.support.cluster import closed_port
from tests.support.gateways import (
    ANDROID_INCOME_SECRET,
    GATEWAY_ENV,
    HOOK,
    SMSSYNC_SECRET,
    android_income_bearer,
    body_of,
    fixture_bytes,
    fixture_json,
    httpsms_token,
    post_to_hook,
    sms_gate_headers,
    smssync_form,
    smssync_test_form,
)
from tests.support.ingest import inbox_state

FORM = "application/x-www-form-urlencoded"
SMS_TEXT = fixture_json("android-income.json")["text"]
PHONE = "+250788000111"  # the collection phone's own number in every fixture


@pytest.fixture
def app(app_from_env) -> Flask:
    return app_from_env(**GATEWAY_ENV)


def post(app: Flask, route: str, body: bytes, headers: dict[str, str] | None = None, **kw):
    return post_to_hook(app, body, headers, route, **kw)


def smssync_shape(response) -> dict:
    answer = response.get_json()
    assert set(answer) == {"payload"} and set(answer["payload"]) == {"success", "error"}, answer
    return answer["payload"]


def received(amount: int, balance: int, txn: str, at: str) -> str:
    """MTN MoMo Rwanda's "You have received" SMS, word for word (shared/sms-formats.md)."""
    return (
        f"You have received {amount} RWF from Aline MUKAMANA (250788000001) on your mobile "
        f"money account at {at}. Message from sender: . Your new balance:{balance} RWF. "
        f"Financial Transaction Id: {txn}."
    )


# --- android-income: the released app sends static headers, it cannot sign --------------------


def test_android_income_released_app_with_a_static_bearer_header_is_stored(app, admin):
    """bogkonstantin/android_income_sms_gateway_webhook, README "Request info" and
    ForwardingConfig: the default JSON template (receivedStamp = System.currentTimeMillis()
    when the phone got the SMS) and the rule's static headers JSON; releases up to v.2.3.0
    have no signing, so the secret travels as a static Authorization header."""
    body = body_of(fixture_json("android-income.json"))

    response = post(app, "android-income", body, android_income_bearer())

    assert response.status_code == 200, response.get_json()
    rows = admin.execute(
        "select raw_text, received_at, receiving_account, metadata->>'authentication' "
        "from momo_sms_inbox"
    ).fetchall()
    # receivedStamp 1737210004000 (the phone's receipt), not sentStamp 1737210000000
    assert rows == [(SMS_TEXT, datetime.fromisoformat("2025-01-18T14:20:04+00:00"),
                     "android-income:sim1", "bearer")]  # fmt: skip


def test_android_income_bearer_secrets_rotate(app_from_env, admin):
    """The app's headers JSON holds one secret; the server takes any of its list while the
    phones are moved from the old to the new one (README: rotation like the other routes)."""
    app = app_from_env(
        **{**GATEWAY_ENV, "MOMO_SMS_GATEWAY_SECRET_ANDROID_INCOME": "new-secret, old-secret"}
    )
    template = fixture_json("android-income.json")
    for i, secret in enumerate(["old-secret", "new-secret"]):
        body = body_of({**template, "receivedStamp": template["receivedStamp"] + i})
        assert post(app, "android-income", body, android_income_bearer(secret)).status_code == 200
    assert inbox_state(admin) == (2, 0)


@pytest.mark.parametrize(
    "headers",
    [
        android_income_bearer("wrong-secret"),
        {"Authorization": f"Bearer {ANDROID_INCOME_SECRET}x"},
        {"Authorization": ANDROID_INCOME_SECRET},
        {"Authorization": f"Basic {ANDROID_INCOME_SECRET}"},
        {"User-agent": "SMS Forwarder App"},
        {**android_income_bearer(), "X-Signature": "00" * 32},
    ],
    ids=["wrong", "longer", "no-scheme", "basic", "app-default-headers", "bad-signature"],
)
def test_android_income_forged_static_header_is_401_and_stores_nothing(app, admin, headers):
    """The app's default headers ({"User-agent":"SMS Forwarder App"}) alone, or a wrong or
    malformed secret, are refused; a signature that is present must be right."""
    body = body_of(fixture_json("android-income.json"))

    response = post(app, "android-income", body, headers)

    assert response.status_code == 401, response.get_json()
    assert inbox_state(admin) == (0, 0)


def test_android_income_replayed_static_header_request_is_a_duplicate(app, admin):
    """A static header proves the sender knew the secret, not when or what it sent: a
    captured request replayed as is is the same SMS (content hash), never a second row."""
    body = body_of(fixture_json("android-income.json"))
    first = post(app, "android-income", body, android_income_bearer())

    replay = post(app, "android-income", body, android_income_bearer())

    assert replay.get_json() == {
        "ok": True,
        "duplicate": True,
        "inboxId": first.get_json()["inboxId"],
    }
    assert inbox_state(admin) == (1, 1)


# --- SMSSync -----------------------------------------------------------------------------------


def smssync_test_json() -> bytes:
    """The same test request in SMSSync's JSON format (DataFormatUtil.makeJSONString: one
    flat object of the fields)."""
    fields = {"secret": SMSSYNC_SECRET, "from": "+000000000000"}
    return json.dumps({**fields, "message": "Test Message From SMSSync Integration"}).encode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(smssync_test_form, FORM), (smssync_test_json, "application/json; charset=utf-8")],
    ids=["url-encoded", "json"],
)
def test_smssync_test_sync_url_request_succeeds_and_stores_nothing(app, admin, body, content_type):
    """ushahidi/SMSSync AppHttpClient.initTestRequest: the "test sync URL" posts secret,
    from=+000000000000 and "Test Message From SMSSync Integration"; the app counts any 200
    with a payload as working."""
    response = post(app, "smssync", body(), content_type=content_type)

    assert response.status_code == 200
    assert smssync_shape(response) == {"success": True, "error": None}
    assert inbox_state(admin) == (0, 0)


def test_smssync_test_request_with_a_wrong_secret_fails_in_its_shape(app, admin):
    """The same test request with a secret the server does not know: a 401 the app shows."""
    response = post(app, "smssync", smssync_test_form("not-the-secret"), content_type=FORM)

    assert response.status_code == 401
    assert smssync_shape(response)["success"] is False
    assert inbox_state(admin) == (0, 0)


def test_smssync_put_option_is_stored_like_post(app, admin):
    """SMSSync SyncScheme.SyncMethod {POST, PUT}: MessageHttpClient.initRequest sends the
    same fields with the method chosen for the sync URL."""
    response = app.test_client().put(f"{HOOK}/smssync", data=smssync_form(), content_type=FORM)

    assert response.status_code == 200
    assert smssync_shape(response) == {"success": True, "error": None}
    assert admin.execute("select receiving_account from momo_sms_inbox").fetchall() == [(PHONE,)]


def test_smssync_xml_option_is_a_clear_415_in_its_shape(app, admin):
    """SMSSync SyncScheme.SyncDataFormat XML: DataFormatUtil.makeXMLString(params, "payload")
    with an XML content type. Refused before anything is read, saying what to choose."""
    body = fixture_bytes("smssync.xml").replace(b"__SECRET__", SMSSYNC_SECRET.encode())

    response = post(app, "smssync", body, content_type="application/xml; charset=utf-8")

    assert response.status_code == 415
    payload = smssync_shape(response)
    assert payload["success"] is False and "URL-encoded" in payload["error"]
    assert inbox_state(admin) == (0, 0)


def test_smssync_other_methods_are_405_in_its_shape(app, admin):
    """Any answer SMSSync reads is {"payload": {"success", "error"}} (SmssyncResponse)."""
    response = app.test_client().get(f"{HOOK}/smssync?task=send&secret={SMSSYNC_SECRET}")

    assert response.status_code == 405
    assert "POST or PUT" in smssync_shape(response)["error"]
    assert inbox_state(admin) == (0, 0)


def test_smssync_database_unavailable_is_503_in_its_shape(app_from_env, admin):
    """MessageHttpClient.postSmsToWebService: a status other than 200/201 is a failure the
    app keeps the message for and shows payload.error of; the database here is unreachable
    (a port nothing listens on), so the app must retry later."""
    down = f"postgresql://postgres@127.0.0.1:{closed_port()}/baskets"
    app = app_from_env(**{**GATEWAY_ENV, "DATABASE_URL": down})

    response = post(app, "smssync", smssync_form(), content_type=FORM)

    assert response.status_code == 503
    assert smssync_shape(response) == {"success": False, "error": "database unavailable"}
    assert inbox_state(admin) == (0, 0)


# --- one phone, one account --------------------------------------------------------------------


def sms_gate_request(message: str, received_at: str, message_id: str, **payload) -> tuple:
    event = fixture_json("sms-gate.json")
    event["payload"].update(message=message, receivedAt=received_at, messageId=message_id)
    event["payload"].update(payload)
    body = body_of(event)
    return body, sms_gate_headers(body)


def httpsms_request(message: str, timestamp: str, message_id: str) -> tuple:
    event = fixture_json("httpsms.json")
    event["data"].update(content=message, timestamp=timestamp, message_id=message_id)
    return body_of(event), {"Authorization": f"Bearer {httpsms_token()}"}


def test_one_phone_through_three_apps_is_one_account_and_one_balance_history(app, admin):
    """The phone's own number as each app tells it: SMSSync `sent_to` (MessageHttpClient,
    the number typed in the app, here in national form), sms-gate `payload.recipient`
    (docs/features/webhooks.md), httpSMS `data.owner` (MessagePhoneReceivedPayload). The
    balances of the three SMS link only if they are one account's history."""
    group = add_group(admin)
    add_member(admin, group, "+250788000001", "Aline MUKAMANA")
    first = received(2000, 10000, "80000001", "2025-01-18 16:20:00")
    second = received(3000, 13000, "80000002", "2025-01-18 16:25:00")
    third = received(1000, 14000, "80000003", "2025-01-18 16:30:00")

    form = smssync_form(sent_to="0788000111", message_id="m-1", message=quote_plus(first))
    assert post(app, "smssync", form, content_type=FORM).status_code == 200
    body, headers = sms_gate_request(second, "2025-01-18T16:25:04.000+02:00", "m-2")
    assert post(app, "sms-gate", body, headers).status_code == 200
    body, headers = httpsms_request(third, "2025-01-18T14:30:04.5Z", "m-3")
    assert post(app, "httpsms", body, headers).status_code == 200

    stored = admin.execute(
        "select gateway, receiving_account from momo_sms_inbox order by id"
    ).fetchall()
    assert stored == [("smssync", PHONE), ("sms-gate", PHONE), ("httpsms", PHONE)]
    allocate(admin)
    outcomes = admin.execute("select outcome from momo_sms_inbox order by id").fetchall()
    assert outcomes == [("held",)] * 3  # a new phone: no verified history yet
    # The treasurer checks the phone's balance once and confirms its first SMS: the
    # other two link to it only if the three are one account's history.
    first_id = admin.execute("select min(id) from momo_sms_inbox").fetchone()[0]
    admin.execute(
        "select balance_anchor_confirm(%s, 'treasurer checked the phone''s balance')",
        (first_id,),
    )
    outcomes = admin.execute("select outcome from momo_sms_inbox order by id").fetchall()
    assert outcomes == [("allocated",)] * 3


def test_spec_route_account_is_its_body_field_else_the_configured_number(app_from_env, admin):
    """The spec's JSON has no phone field: MOMO_SMS_RECEIVING_ACCOUNT names the one phone a
    deployment's forwarder serves; a request's receivingAccount names another."""
    app = app_from_env(MOMO_SMS_RECEIVING_ACCOUNT="0788000111")
    for message, extra in [("first", {}), ("second", {"receivingAccount": "+250788000222"})]:
        body = json.dumps({"message": message, "msisdn": "M-Money", **extra}).encode()
        assert post_to_hook(app, body).status_code == 200
    accounts = admin.execute("select receiving_account from momo_sms_inbox order by id").fetchall()
    assert accounts == [(PHONE,), ("+250788000222",)]


def test_account_relabel_carries_an_old_account_history_over_to_the_number(app, admin):
    """A phone that ran SMSSync without its number (sent_to empty: the account was
    smssync:<device_id>) moves to sms-gate, which tells its recipient. After the DBA's
    relabel (and the phone's anchor) the first sms-gate credit links to the old history."""
    group = add_group(admin)
    add_member(admin, group, "+250788000001", "Aline MUKAMANA")
    first = received(2000, 10000, "81000001", "2025-01-18 16:20:00")
    old = smssync_form(sent_to="", message=quote_plus(first))
    assert post(app, "smssync", old, content_type=FORM).status_code == 200
    allocate(admin)
    held = admin.execute("select outcome from momo_sms_inbox").fetchall()
    assert held == [("held",)]  # alone in its history: held until a neighbour links
    dba = psycopg.connect(admin.info.dsn, autocommit=True)
    dba.execute("set role app_dba")

    moved = dba.execute(
        "select account_relabel('smssync:1', '0788000111', 'phone moved to sms-gate, ticket 7')"
    ).fetchone()

    assert moved is not None
    assert moved[0] == {
        "account": PHONE, "inbox_rows": 1, "parses": 1, "holds": 1, "collection_accounts": 0
    }  # fmt: skip
    # The phone's history, now under its number, is anchored once by a person; the
    # sms-gate SMS after it links to that history only because it was carried over.
    dba.execute("select balance_anchor_confirm(1, 'treasurer checked the phone''s balance')")
    body, headers = sms_gate_request(
        received(3000, 13000, "81000002", "2025-01-18 16:25:00"),
        "2025-01-18T16:25:04.000+02:00",
        "m-2",
    )
    assert post(app, "sms-gate", body, headers).status_code == 200
    allocate(admin)
    rows = admin.execute("select receiving_account, outcome from momo_sms_inbox order by id")
    assert rows.fetchall() == [(PHONE, "allocated"), (PHONE, "allocated")]
    audit = admin.execute(
        "select entity_id, reason, after->>'account' from audit_log "
        "where action = 'account_relabel'"
    ).fetchall()
    assert audit == [("smssync:1", "phone moved to sms-gate, ticket 7", PHONE)]
    dba.close()


@pytest.mark.parametrize(
    ("args", "state"),
    [
        (("smssync:1", "not a number", "reason"), "MM400"),
        (("smssync:1", "0788000111", " "), "MM400"),
        (("smssync:1", None, "reason"), "MM400"),
        (("no-such-account", "0788000111", "reason"), "MM404"),
    ],
    ids=["not-a-number", "no-reason", "no-number", "unknown-account"],
)
def test_account_relabel_refuses_bad_input_and_changes_nothing(app, admin, args, state):
    """Every refusal is a project SQLSTATE with a message, and leaves the history as it was."""
    post(app, "smssync", smssync_form(sent_to=""), content_type=FORM)
    dba = psycopg.connect(admin.info.dsn, autocommit=True)
    dba.execute("set role app_dba")

    with pytest.raises(psycopg.Error) as refused:
        dba.execute("select account_relabel(%s, %s, %s)", args)

    assert refused.value.sqlstate == state
    assert admin.execute("select receiving_account from momo_sms_inbox").fetchall() == [
        ("smssync:1",)
    ]
    assert admin.execute(
        "select count(*) from audit_log where action = 'account_relabel'"
    ).fetchone() == (0,)
    dba.close()


@pytest.mark.parametrize("role", ["app_ingest", "app_allocator", "app_analyst", "app_web"])
def test_only_a_dba_may_relabel_an_account(app, admin, connect_as, role):
    """Re-labelling moves a phone's history (and can release its held credits): a gateway
    or any other surface of the app cannot do it, only a DBA (db/grants/operations.sql)."""
    post(app, "smssync", smssync_form(sent_to=""), content_type=FORM)
    conn = connect_as(role)

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select account_relabel('smssync:1', '0788000111', 'forged')")

    assert admin.execute("select receiving_account from momo_sms_inbox").fetchall() == [
        ("smssync:1",)
    ]
