"""Gateway requests as each gateway sends them: the documented fixtures, signed its way."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.test import TestResponse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gateways"
HOOK = "/functions/v1/momo-sms-hook"

SMS_GATE_SECRET = "sms-gate-signing-key"
HTTPSMS_SECRET = "httpsms-signing-key"
HTTPSMS_URL = "https://baskets.example.org/functions/v1/momo-sms-hook/httpsms"
SMSSYNC_SECRET = "smssync-shared-secret"
ANDROID_INCOME_SECRET = "android-income-secret"
# Standard Webhooks secrets are whsec_ + base64 of the key bytes.
WEBHOOK_KEY = b"standard-webhooks-key-32-bytes!!"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(WEBHOOK_KEY).decode()

GATEWAY_ENV = {
    "MOMO_SMS_GATEWAY_SECRET_SMS_GATE": SMS_GATE_SECRET,
    "MOMO_SMS_GATEWAY_SECRET_HTTPSMS": HTTPSMS_SECRET,
    "MOMO_SMS_GATEWAY_HTTPSMS_URL": HTTPSMS_URL,
    "MOMO_SMS_GATEWAY_SECRET_SMSSYNC": SMSSYNC_SECRET,
    "MOMO_SMS_GATEWAY_SECRET_ANDROID_INCOME": ANDROID_INCOME_SECRET,
    "MOMO_SMS_HMAC_SECRET": WEBHOOK_SECRET,
}


def post_to_hook(
    app: Flask, body: bytes, headers: Any = None, route: str = "", **kw: Any
) -> TestResponse:
    """POST `body` to the hook (or its gateway `route`) through the app's test client."""
    return app.test_client().post(
        f"{HOOK}/{route}" if route else HOOK,
        data=body,
        content_type=kw.pop("content_type", "application/json"),
        headers=headers or {},
        **kw,
    )


def fixture_json(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def body_of(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()


def hex_hmac(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def sms_gate_headers(
    body: bytes, secret: str = SMS_GATE_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """sms-gate: X-Signature = hex HMAC-SHA256 of the body followed by X-Timestamp."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Timestamp": stamp, "X-Signature": hex_hmac(secret, body + stamp.encode())}


def standard_webhooks_headers(
    body: bytes, webhook_id: str, timestamp: int | None = None, key: bytes = WEBHOOK_KEY
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signed = f"{webhook_id}.{stamp}.".encode() + body
    signature = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": f"v1,{signature}",
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def httpsms_token(
    secret: str = HTTPSMS_SECRET,
    alg: str = "HS256",
    **overrides: Any,
) -> str:
    """The JWT httpsms signs: HS256, audience the webhook URL, exp now+10 min, nbf now-10 min."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": HTTPSMS_URL,
        "exp": now + 600,
        "iat": now,
        "iss": "api.httpsms.com",
        "nbf": now - 600,
        "sub": "WB7DRDWrJZRGbYrv2CKGkqbzvqdC",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    header = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    signing_input = f"{header}.{payload}".encode()
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature) if alg == 'HS256' else ''}"


def smssync_form(secret: str = SMSSYNC_SECRET, **replace: str) -> bytes:
    body = fixture_bytes("smssync.form").replace(b"__SECRET__", secret.encode())
    for name, value in replace.items():
        fields = body.split(b"&")
        fields = [
            f"{name}={value}".encode() if f.startswith(name.encode() + b"=") else f for f in fields
        ]
        body = b"&".join(fields)
    return body


def smssync_test_form(secret: str = SMSSYNC_SECRET) -> bytes:
    """SMSSync's "test sync URL" request (AppHttpClient.initTestRequest): URL-encoded
    secret, from +000000000000 and its fixed message, nothing else."""
    return fixture_bytes("smssync-test.form").replace(b"__SECRET__", secret.encode())


def android_income_bearer(secret: str = ANDROID_INCOME_SECRET) -> dict[str, str]:
    """The custom headers the released android-income app sends, as a user enters them in
    the rule's headers JSON: its default User-agent plus a static Authorization header."""
    return {"User-agent": "SMS Forwarder App", "Authorization": f"Bearer {secret}"}
