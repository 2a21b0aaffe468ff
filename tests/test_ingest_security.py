"""Who may deliver SMS: HMAC signatures (MOMO_SMS_HMAC_SECRET) and the IP allow-list
(MOMO_SMS_ALLOWED_IPS, MOMO_SMS_TRUSTED_PROXY_HOPS). A refused caller stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

import pytest
from flask import Flask

from api.config import ConfigError, Settings
from tests.support.gateways import post_to_hook
from tests.support.ingest import assert_error, inbox_state

SECRET = "gateway-secret-2025"
BODY = json.dumps(
    {
        "message": "You have received RWF 5,000 from ALINE (*****482). Ref: 9912.",
        "msisdn": "M-Money",
        "receivedAt": "2025-01-18T14:20:00Z",
    }
).encode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(
    app: Flask,
    body: bytes = BODY,
    signature: str | None = None,
    remote_addr: str = "127.0.0.1",
    headers: Mapping[str, str] | list[tuple[str, str]] | None = None,
):
    all_headers = list(dict(headers).items() if isinstance(headers, Mapping) else headers or [])
    if signature is not None:
        all_headers.append(("X-Signature", signature))
    return post_to_hook(app, body, all_headers, environ_base={"REMOTE_ADDR": remote_addr})


# --- HMAC -------------------------------------------------------------------------------------


def test_signed_request_is_accepted(app_from_env, admin):
    app = app_from_env(MOMO_SMS_HMAC_SECRET=SECRET)

    response = deliver(app, signature=sign(BODY))

    assert response.status_code == 200
    assert response.get_json()["ok"] is True
    assert inbox_state(admin) == (1, 0)


def test_missing_signature_is_401_and_stores_nothing(app_from_env, admin):
    app = app_from_env(MOMO_SMS_HMAC_SECRET=SECRET)

    assert_error(deliver(app), 401, "unauthorized")
    assert inbox_state(admin) == (0, 0)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "   ",
        "not-hex",
        sign(BODY, "wrong-secret"),
        sign(BODY + b" "),
        sign(BODY)[:-1],
        sign(BODY) + "0",
        "sha256=" + sign(BODY),
        sign(BODY)[:32],
        "é" * 64,
    ],
    ids=[
        "empty",
        "blank",
        "not-hex",
        "other-secret",
        "other-body",
        "truncated",
        "extended",
        "prefixed",
        "half",
        "non-ascii",
    ],
)
def test_wrong_signature_is_401_and_stores_nothing(app_from_env, admin, signature):
    app = app_from_env(MOMO_SMS_HMAC_SECRET=SECRET)

    assert_error(deliver(app, signature=signature), 401, "unauthorized")
    assert inbox_state(admin) == (0, 0)


def test_signature_covers_the_exact_request_bytes(app_from_env, admin):
    """The same JSON with different whitespace is different bytes: its signature fails."""
    app = app_from_env(MOMO_SMS_HMAC_SECRET=SECRET)
    reformatted = json.dumps(json.loads(BODY), indent=2).encode()

    assert_error(deliver(app, body=reformatted, signature=sign(BODY)), 401, "unauthorized")
    assert inbox_state(admin) == (0, 0)
    assert deliver(app, body=reformatted, signature=sign(reformatted)).status_code == 200
    assert inbox_state(admin) == (1, 0)


def test_unsigned_repeat_of_a_stored_sms_is_401_and_not_counted(app_from_env, admin):
    app = app_from_env(MOMO_SMS_HMAC_SECRET=SECRET)
    assert deliver(app, signature=sign(BODY)).status_code == 200

    assert_error(deliver(app, signature=sign(BODY, "wrong-secret")), 401, "unauthorized")
    assert_error(deliver(app), 401, "unauthorized")

    assert inbox_state(admin) == (1, 0)


def test_any_secret_of_a_comma_separated_list_is_accepted(app_from_env, admin):
    """Rotation: the gateway may sign with the old or the new secret while both are listed."""
    app = app_from_env(MOMO_SMS_HMAC_SECRET="old-secret, new-secret")
    bodies = [
        json.dumps({"message": f"rotation {n}", "receivedAt": "2025-01-18T14:20:00Z"}).encode()
        for n in range(4)
    ]

    assert deliver(app, bodies[0], sign(bodies[0], "old-secret")).status_code == 200
    assert deliver(app, bodies[1], sign(bodies[1], "new-secret")).status_code == 200
    assert_error(deliver(app, bodies[2], sign(bodies[2], "retired-secret")), 401, "unauthorized")
    assert_error(
        deliver(app, bodies[3], sign(bodies[3], "old-secret, new-secret")), 401, "unauthorized"
    )
    assert inbox_state(admin) == (2, 0)


def test_secret_list_from_the_environment_is_trimmed_and_split():
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql://x", "MOMO_SMS_HMAC_SECRET": " old-secret ,new-secret,, "}
    )

    assert settings.hmac_secrets == (b"old-secret", b"new-secret")


def test_without_a_secret_unsigned_requests_are_accepted(app_from_env, admin):
    app = app_from_env()

    assert deliver(app).status_code == 200
    assert inbox_state(admin) == (1, 0)


# --- IP allow-list ----------------------------------------------------------------------------

ALLOWED = "127.0.0.1, 10.0.0.0/8, 2001:db8::/32"


@pytest.mark.parametrize(
    "remote_addr",
    ["127.0.0.1", "10.0.0.1", "10.255.255.254", "2001:db8::7", "::ffff:10.1.2.3"],
    ids=["listed-address", "cidr-start", "cidr-end", "ipv6-cidr", "ipv4-mapped-ipv6"],
)
def test_caller_in_the_allow_list_is_accepted(app_from_env, admin, remote_addr):
    app = app_from_env(MOMO_SMS_ALLOWED_IPS=ALLOWED)

    assert deliver(app, remote_addr=remote_addr).status_code == 200
    assert inbox_state(admin) == (1, 0)


@pytest.mark.parametrize(
    "remote_addr", ["127.0.0.2", "11.0.0.1", "192.168.1.10", "2001:db9::1", "::1"]
)
def test_caller_outside_the_allow_list_is_403_and_stores_nothing(app_from_env, admin, remote_addr):
    app = app_from_env(MOMO_SMS_ALLOWED_IPS=ALLOWED)

    assert_error(deliver(app, remote_addr=remote_addr), 403, "forbidden")
    assert inbox_state(admin) == (0, 0)


def test_forged_forwarded_for_is_ignored_without_trusted_proxies(app_from_env, admin):
    app = app_from_env(MOMO_SMS_ALLOWED_IPS=ALLOWED)

    response = deliver(app, remote_addr="203.0.113.9", headers={"X-Forwarded-For": "10.0.0.7"})

    assert_error(response, 403, "forbidden")
    assert inbox_state(admin) == (0, 0)


@pytest.mark.parametrize(
    ("hops", "forwarded_for"),
    [(1, "10.0.0.7"), (1, "198.51.100.1, 10.0.0.7"), (2, "10.0.0.7, 192.0.2.50")],
    ids=["one-proxy", "one-proxy-after-a-forged-entry", "two-proxies"],
)
def test_forwarded_for_names_the_client_through_trusted_proxy_hops(
    app_from_env, admin, hops, forwarded_for
):
    """The proxy (192.0.2.1) is not allowed itself: the client it forwards for is."""
    app = app_from_env(MOMO_SMS_ALLOWED_IPS=ALLOWED, MOMO_SMS_TRUSTED_PROXY_HOPS=str(hops))

    response = deliver(app, remote_addr="192.0.2.1", headers={"X-Forwarded-For": forwarded_for})

    assert response.status_code == 200
    assert inbox_state(admin) == (1, 0)


@pytest.mark.parametrize(
    ("hops", "headers"),
    [
        # the caller wrote 10.0.0.7; the proxy appended the address it really saw
        (1, [("X-Forwarded-For", "10.0.0.7, 203.0.113.9")]),
        (1, [("X-Forwarded-For", "10.0.0.7"), ("X-Forwarded-For", "203.0.113.9")]),
        (2, [("X-Forwarded-For", "10.0.0.7, 203.0.113.9, 192.0.2.50")]),
        # fewer entries than trusted hops: the header did not come through the proxies
        (2, [("X-Forwarded-For", "10.0.0.7")]),
        (1, [("X-Forwarded-For", "")]),
        (1, [("X-Forwarded-For", "not-an-address")]),
        (1, [("X-Forwarded-For", "[10.0.0.7]:443")]),
        (1, []),
    ],
    ids=[
        "forged-leftmost",
        "forged-first-header",
        "forged-before-two-proxies",
        "too-few-entries",
        "empty",
        "garbage",
        "with-port",
        "absent",
    ],
)
def test_forged_forwarded_for_does_not_get_a_caller_in(app_from_env, admin, hops, headers):
    app = app_from_env(MOMO_SMS_ALLOWED_IPS=ALLOWED, MOMO_SMS_TRUSTED_PROXY_HOPS=str(hops))

    response = deliver(app, remote_addr="192.0.2.1", headers=headers)

    assert_error(response, 403, "forbidden")
    assert inbox_state(admin) == (0, 0)


def test_refused_address_is_403_even_with_a_valid_signature(app_from_env, admin):
    app = app_from_env(MOMO_SMS_HMAC_SECRET=SECRET, MOMO_SMS_ALLOWED_IPS=ALLOWED)

    assert_error(deliver(app, signature=sign(BODY), remote_addr="11.0.0.1"), 403, "forbidden")
    assert_error(deliver(app, signature="bad", remote_addr="10.0.0.1"), 401, "unauthorized")
    assert inbox_state(admin) == (0, 0)
    assert deliver(app, signature=sign(BODY), remote_addr="10.0.0.1").status_code == 200
    assert inbox_state(admin) == (1, 0)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MOMO_SMS_ALLOWED_IPS": "10.0.0.0/8, gateway.example"}, "MOMO_SMS_ALLOWED_IPS"),
        ({"MOMO_SMS_ALLOWED_IPS": "10.0.0.0/33"}, "MOMO_SMS_ALLOWED_IPS"),
        ({"MOMO_SMS_TRUSTED_PROXY_HOPS": "-1"}, "MOMO_SMS_TRUSTED_PROXY_HOPS"),
        ({"MOMO_SMS_TRUSTED_PROXY_HOPS": "one"}, "MOMO_SMS_TRUSTED_PROXY_HOPS"),
        ({"MOMO_SMS_MAX_BODY_BYTES": "10"}, "MOMO_SMS_MAX_BODY_BYTES"),
    ],
)
def test_bad_security_configuration_refuses_to_start(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"DATABASE_URL": "postgresql://x", **env})
