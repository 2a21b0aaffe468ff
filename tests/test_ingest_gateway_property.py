"""Per gateway route: arbitrary bodies and headers never give a 500, and nothing is stored
without a valid signature (or token, or shared secret). With a valid one, the answer is
a stored row, a duplicate, an ignored event or a 400, and the inbox changes exactly so.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.gateways import (
    ANDROID_INCOME_SECRET,
    GATEWAY_ENV,
    HOOK,
    SMSSYNC_SECRET,
    fixture_json,
    hex_hmac,
    httpsms_token,
    sms_gate_headers,
    standard_webhooks_headers,
)
from tests.support.ingest import inbox_state

# Hundreds of generated, signed and forged gateway requests per test.
pytestmark = pytest.mark.slow

chars = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),
    st.sampled_from(["\x00", "&", "=", "%", '"', "\\", "+", "💸", "é"]),
)
texts = st.text(chars, max_size=20)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**15, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
    st.sampled_from(
        [
            "2025-01-18T16:20:04.000+02:00",
            "2025-01-18T14:20:04.123456789Z",
            "2099-01-01T00:00:00Z",
            "2025-02-30T10:00:00Z",
            "1737210004000",
            "sms:received",
            "message.phone.received",
        ]
    ),
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def mutated(fixture: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """The documented request with fields replaced, removed or added, nested one level deep."""

    def apply(changes: list[tuple[str | None, str, Any, bool]]) -> bytes:
        value = json.loads(json.dumps(fixture))
        for parent, key, new, remove in changes:
            target = value.get(parent) if parent else value
            if not isinstance(target, dict):
                continue
            if remove:
                target.pop(key, None)
            else:
                target[key] = new
        return json.dumps(value).encode()

    parents = [None] + [k for k, v in fixture.items() if isinstance(v, dict)]
    keys = sorted({k for v in [fixture, *fixture.values()] if isinstance(v, dict) for k in v})
    change = st.tuples(
        st.sampled_from(parents), st.sampled_from(keys) | texts, json_values, st.booleans()
    )
    return st.lists(change, max_size=4).map(apply)


raw_bytes = st.binary(max_size=300)


def bodies_for(fixture: dict[str, Any]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        mutated(fixture),
        mutated(fixture),
        raw_bytes,
        json_values.map(lambda v: json.dumps(v).encode()),
    )


@pytest.fixture
def app(app_from_env) -> Flask:
    return app_from_env(**GATEWAY_ENV)


def check(app: Flask, admin, route: str, body: bytes, headers: dict, authentic: bool, **kw):
    """Post the request; assert the answer is allowed and the inbox changed exactly as it says."""
    before = inbox_state(admin)
    response = app.test_client().post(
        f"{HOOK}/{route}" if route else HOOK,
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type=kw.get("content_type", "application/json"),
        headers=headers,
    )
    after = inbox_state(admin)
    event(f"{route or 'spec'} {response.status_code}")
    assert response.status_code != 500
    assert response.mimetype == "application/json"
    answer = response.get_json()
    if not authentic:
        assert response.status_code in kw.get("refusals", {401}), answer
        assert after == before
        return
    assert response.status_code in {200, 400}, answer
    if response.status_code == 400 or answer == {"ok": True, "ignored": True}:
        assert after == before
        return
    if route == "smssync":
        assert answer == {"payload": {"success": True, "error": None}}
        assert after in ((before[0] + 1, before[1]), (before[0], before[1] + 1))
        return
    if answer.get("duplicate"):
        assert after == (before[0], before[1] + 1)
    else:
        assert after == (before[0] + 1, before[1])
    assert admin.execute(
        "select count(*) from momo_sms_inbox where id = %s", (int(answer["inboxId"]),)
    ).fetchone() == (1,)


def latin1(value: str) -> str:
    """A header value as the WSGI server would see arbitrary bytes: latin-1 text, one line."""
    text = value.encode("utf-8", "surrogatepass").decode("latin-1")
    return text.replace("\r", " ").replace("\n", " ")


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
signature_modes = st.sampled_from(["valid", "none", "garbage", "other-body", "stale", "wrong-key"])


@PROPERTY
@given(body=bodies_for(fixture_json("sms-gate.json")), mode=signature_modes, garbage=texts)
def test_sms_gate_route(app, admin, body, mode, garbage):
    now = int(time.time())
    headers = {
        "valid": sms_gate_headers(body),
        "none": {},
        "garbage": {"X-Signature": garbage, "X-Timestamp": garbage},
        "other-body": sms_gate_headers(body + b"x"),
        "stale": sms_gate_headers(body, timestamp=now - 3600),
        "wrong-key": sms_gate_headers(body, secret="wrong"),
    }[mode]
    headers = {k: latin1(v) for k, v in headers.items()}
    check(app, admin, "sms-gate", body, headers, mode == "valid")


@PROPERTY
@given(body=bodies_for(fixture_json("httpsms.json")), mode=signature_modes, garbage=texts)
def test_httpsms_route(app, admin, body, mode, garbage):
    token = {
        "valid": httpsms_token(),
        "none": None,
        "garbage": garbage,
        "other-body": httpsms_token(aud="https://elsewhere.example/"),
        "stale": httpsms_token(exp=int(time.time()) - 3600),
        "wrong-key": httpsms_token(secret="wrong"),
    }[mode]
    headers = {}
    if token is not None:
        headers["Authorization"] = latin1(f"Bearer {token}")
    check(app, admin, "httpsms", body, headers, mode == "valid")


form_values = st.one_of(texts, st.sampled_from(["1737210004000", "+250788000111", "", "M-Money"]))


@st.composite
def smssync_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    """A form (SMSSync's default) with arbitrary fields, or arbitrary bytes; and the secret mode."""
    mode = draw(st.sampled_from(["valid", "wrong", "none"]))
    if draw(st.integers(0, 4)) == 0:
        return draw(raw_bytes), "none"
    fields: dict[str, str] = {
        k: draw(form_values)
        for k in draw(
            st.lists(
                st.sampled_from(
                    ["from", "message", "message_id", "sent_to", "sent_timestamp", "device_id"]
                ),
                unique=True,
            )
        )
    }
    if mode == "valid":
        fields["secret"] = SMSSYNC_SECRET
    elif mode == "wrong":
        fields["secret"] = draw(texts)
    encoded = urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in fields.items()}).encode()
    return encoded, mode


@PROPERTY
@given(request=smssync_bodies())
def test_smssync_route(app, admin, request):
    body, mode = request
    check(
        app,
        admin,
        "smssync",
        body,
        {},
        mode == "valid",
        content_type="application/x-www-form-urlencoded",
        refusals={400, 401},  # the secret is a form field: an unreadable form is refused first
    )


@PROPERTY
@given(body=bodies_for(fixture_json("android-income.json")), mode=signature_modes, garbage=texts)
def test_android_income_route(app, admin, body, mode, garbage):
    signature = {
        "valid": hex_hmac(ANDROID_INCOME_SECRET, body),
        "none": None,
        "garbage": garbage,
        "other-body": hex_hmac(ANDROID_INCOME_SECRET, body + b"x"),
        "stale": hex_hmac(ANDROID_INCOME_SECRET, body)[:-1],
        "wrong-key": hex_hmac("wrong", body),
    }[mode]
    headers = {}
    if signature is not None:
        headers["X-Signature"] = latin1(signature)
    check(app, admin, "android-income", body, headers, mode == "valid")


SPEC = {"message": "RWF 1,000 from A", "msisdn": "M-Money", "receivedAt": "2025-01-18T14:20:00Z"}


@PROPERTY
@given(
    body=bodies_for(SPEC),
    mode=signature_modes,
    webhook_id=st.from_regex(r"[A-Za-z0-9_]{1,24}", fullmatch=True),
)
def test_standard_webhooks_on_the_spec_route(app, admin, body, mode, webhook_id):
    now = int(time.time())
    valid = standard_webhooks_headers(body, webhook_id)
    headers = {
        "valid": valid,
        "none": {"webhook-signature": ""},
        "garbage": {**valid, "webhook-signature": webhook_id},
        "other-body": standard_webhooks_headers(body + b"x", webhook_id),
        "stale": {**standard_webhooks_headers(body, webhook_id, now - 3600)},
        "wrong-key": standard_webhooks_headers(body, webhook_id, key=b"wrong"),
    }[mode]
    headers = {k: latin1(v) for k, v in headers.items()}
    check(app, admin, "", body, headers, mode == "valid")
