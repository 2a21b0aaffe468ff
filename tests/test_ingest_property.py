"""Arbitrary bodies and headers never make the hook fail, and never store what they should not.

For every generated request the oracle says which answer the rules allow:
a caller outside the allow-list gets 403, an over-long body 413, a bad signature
401, and otherwise the request is stored (200) or refused as bad input (400).
Whatever the answer, exactly the rows it promises are written.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.gateways import HOOK
from tests.support.ingest import inbox_state

SECRET = b"property-secret"
ALLOWED = [ipaddress.ip_network(n) for n in ("127.0.0.0/8", "10.0.0.0/8", "2001:db8::/32")]
MAX_BODY = 64 * 1024

# --- generated values -------------------------------------------------------------------------

chars = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.sampled_from(["\x00", "|", '"', "\\", "\n", "\u2028", "💸", "é"]),
)
texts = st.text(chars, max_size=30)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30, max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
long_texts = st.builds(
    lambda c, n: c * n, st.sampled_from(["m", "é", " ", "\x00"]), st.integers(1990, 2010)
)
iso_like = st.from_regex(
    r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?\Z"
)
field_values = {
    "message": st.one_of(texts, long_texts, json_values),
    "msisdn": st.one_of(st.none(), texts, st.text(max_size=70), json_values),
    "receivedAt": st.one_of(st.none(), iso_like, texts, json_values),
    "ingestSource": st.one_of(st.none(), texts, st.text(min_size=60, max_size=70), json_values),
    "metadata": json_values,
    "unexpected": json_values,
}
optional_fields = {k: v for k, v in field_values.items() if k != "message"}
valid_times = st.datetimes(
    min_value=datetime(1990, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))]
    ),
).map(datetime.isoformat)
plausible = st.fixed_dictionaries(
    {"message": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)},
    optional={
        "msisdn": st.sampled_from(["M-Money", "+250788000001", "", "MTN"]),
        "receivedAt": st.one_of(iso_like, valid_times, valid_times),
        "ingestSource": st.sampled_from(["gateway", "modem-1", "sim-2"]),
        "metadata": st.one_of(json_values, st.dictionaries(st.text(), st.text())),
    },
)
payloads = st.one_of(
    plausible,
    plausible,
    st.fixed_dictionaries({"message": texts}, optional=optional_fields),
    st.fixed_dictionaries({}, optional=field_values),
    json_values,
)


def encode(payload: Any, how: str) -> bytes:
    if how == "ascii":  # \ud800 escapes, NaN / Infinity literals
        return json.dumps(payload, allow_nan=True).encode()
    text = json.dumps(payload, ensure_ascii=False, allow_nan=True)
    if how == "utf-8":  # lone surrogates become invalid UTF-8 bytes
        return text.encode("utf-8", "surrogatepass")
    if how == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    return text.encode("utf-16", "surrogatepass")


SPECIAL_BODIES = [
    b"",
    b"{}",
    b"null",
    b'{"message": "\\ud800"}',
    b'{"message": "\\udfff\\ud800", "msisdn": "\\ud83d"}',
    b'{"message": "a\\u0000b"}',
    b'{"message": "m", "metadata": {"\\u0000": 1}}',
    b'{"message": "m", "metadata": NaN}',
    b'{"message": "m", "metadata": [Infinity, -Infinity]}',
    b'{"message": 1e400}',
    b'{"message": "m", "metadata": 1e400}',
    b'{"message": "m", "metadata": -1e-400}',
    b'{"message": "m", "metadata": ' + b"9" * 5000 + b"}",
    b'{"message": "m", "metadata": ' + b"[" * 20_000 + b"]" * 20_000 + b"}",
    b'{"message": "m", "metadata": ' + b'{"a":' * 40 + b"1" + b"}" * 40 + b"}",
    b'{"message": "m"}{"message": "n"}',
    b'{"message": "m", "message": 5}',
    b'{"message": "m\xff\xfe"}',
    b'{"message": "\xed\xa0\x80"}',
    b'{"message": "m", "receivedAt": "2025-01-18T14:20:00+23:59"}',
    b'{"message": "m", "receivedAt": "99999-01-18T14:20:00Z"}',
    b'{"message": "' + b"a" * (MAX_BODY - 14) + b'"}',
    b'{"message": "m", "pad": "' + b"a" * MAX_BODY + b'"}',
]
encoded = st.builds(encode, payloads, st.sampled_from(["ascii", "utf-8", "utf-8-sig", "utf-16"]))
bodies = st.one_of(
    encoded,
    encoded,
    encoded,
    st.binary(max_size=200),
    st.sampled_from(SPECIAL_BODIES),
)
header_texts = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)
# Mostly absent or a known address (so that most requests get past the allow-list), and
# one time in ten arbitrary text.
forwarded_fors = st.integers(0, 9).flatmap(
    lambda n: (
        header_texts
        if n == 0
        else st.sampled_from(
            [None] * 4
            + ["10.0.0.5", "203.0.113.9", "10.0.0.5, 203.0.113.9", "203.0.113.9, 10.0.0.5"]
        )
    )
)


@dataclass(frozen=True)
class Headers:
    signature: str  # how to sign: valid, valid-upper, none, garbage, other-body
    garbage: str
    forwarded_for: str | None
    remote_addr: str
    content_type: str | None


headers = st.builds(
    Headers,
    signature=st.sampled_from(["valid"] * 6 + ["valid-upper", "none", "garbage", "other-body"]),
    garbage=header_texts,
    forwarded_for=forwarded_fors,
    remote_addr=st.sampled_from(
        ["127.0.0.1"] * 3 + ["10.1.1.1", "2001:db8::1", "203.0.113.5", "::1"]
    ),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            None,
        ]
    ),
)

# --- the oracle -------------------------------------------------------------------------------


def client_is_allowed(h: Headers) -> bool:
    """One trusted proxy hop: the last X-Forwarded-For entry, else the socket address."""
    entries = [p.strip() for p in (h.forwarded_for or "").split(",") if p.strip()]
    address = entries[-1] if entries else h.remote_addr
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in ALLOWED)


def signature_for(body: bytes, h: Headers) -> str | None:
    digest = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    return {
        "valid": digest,
        "valid-upper": digest.upper(),
        "none": None,
        "garbage": h.garbage,
        "other-body": hmac.new(SECRET, body + b"x", hashlib.sha256).hexdigest(),
    }[h.signature]


@pytest.fixture
def app(app_from_env) -> Flask:
    return app_from_env(
        MOMO_SMS_HMAC_SECRET=SECRET.decode(),
        MOMO_SMS_ALLOWED_IPS=", ".join(str(n) for n in ALLOWED),
        MOMO_SMS_TRUSTED_PROXY_HOPS="1",
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(body=bodies, h=headers)
def test_any_request_is_answered_without_500_and_stores_only_what_it_acknowledges(
    app, admin, body, h
):
    request_headers = []
    signature = signature_for(body, h)
    if signature is not None:
        request_headers.append(("X-Signature", signature))
    if h.forwarded_for is not None:
        request_headers.append(("X-Forwarded-For", h.forwarded_for))
    before = inbox_state(admin)

    response = app.test_client().post(
        HOOK,
        input_stream=io.BytesIO(body),  # the exact bytes, whatever the content type says
        content_length=len(body),
        headers=request_headers,
        content_type=h.content_type,
        environ_base={"REMOTE_ADDR": h.remote_addr},
    )

    assert response.mimetype == "application/json"
    answer = response.get_json()
    event(f"status {response.status_code}")
    if not client_is_allowed(h):
        expected = {403}
    elif len(body) > MAX_BODY:
        expected = {413}
    elif h.signature not in ("valid", "valid-upper"):
        expected = {401}
    else:
        expected = {200, 400}
    assert response.status_code in expected, answer
    after = inbox_state(admin)

    if response.status_code != 200:
        assert set(answer) == {"ok", "error"} and answer["ok"] is False
        assert set(answer["error"]) <= {"code", "message", "field"}
        assert isinstance(answer["error"]["code"], str)
        assert isinstance(answer["error"]["message"], str)
        assert after == before
        return

    payload = json.loads(body)
    message, msisdn, received_at = (payload.get(k) for k in ("message", "msisdn", "receivedAt"))
    text = f"{message}|{msisdn or ''}|{received_at or ''}"
    row = admin.execute(
        "select id::text, hash, raw_text from momo_sms_inbox where id = %s",
        (int(answer["inboxId"]),),
    ).fetchone()
    assert row == (answer["inboxId"], hashlib.sha256(text.encode()).hexdigest(), message)
    if answer.get("duplicate"):
        assert after == (before[0], before[1] + 1)
    else:
        assert answer == {"ok": True, "inboxId": answer["inboxId"]}
        assert after == (before[0] + 1, before[1])
