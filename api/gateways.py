"""The SMS gateways people run, each mapped to the one ingest (api/ingest.py).

POST /functions/v1/momo-sms-hook/<route> takes the gateway's own request. Each
gateway here checks the request the way that gateway signs it, then maps it to a
Delivery: message, sender, time (normalised to ISO-8601 with a zone), the
receiving account, and the gateway's own message id (the second dedupe key).
Everything after the mapping (validation in SQL, group commit, dedupe, logs,
metrics) is the spec route's code path. Facts per gateway, from each project's
public documentation and source:

- sms-gate (Android SMS Gateway, sms-gate.app): JSON event; X-Signature is the hex
  HMAC-SHA256 of the raw body followed by X-Timestamp (Unix seconds).
- httpsms: CloudEvents JSON; Authorization: Bearer <HS256 JWT> with audience the
  webhook URL, issuer api.httpsms.com, exp/nbf. The JWT does not cover the body.
- smssync (Ushahidi SMSSync): form fields and a shared `secret` field; expects
  {"payload": {"success": true, "error": null}}. sent_timestamp is epoch
  milliseconds in its source (the old docs say "UNIX timestamp").
- android-income (Incoming SMS to URL forwarder): JSON from a template, default
  from/text/sentStamp/receivedStamp (epoch ms)/sim. The released app cannot sign; it
  sends static custom headers, so `Authorization: Bearer <secret>` is what it can
  prove (the sender knew the secret). Builds that sign send X-Signature, the hex HMAC
  of the body, which is checked instead when present.

The receiving account: the phone's own number in E.164 when the gateway tells it
(sms-gate `payload.recipient`, httpSMS `data.owner`, SMSSync `sent_to`, the
android-income template's `to`), whatever app forwards it, so one phone keeps one
balance history; the ingest writes it in E.164 (_momo_sms_ingest_rows).
Otherwise a label naming the device and SIM.

The time stored is when the phone received the SMS, in every route: sms-gate
`payload.receivedAt`, httpSMS `data.timestamp`, android-income `receivedStamp`
(`sentStamp` only when the template leaves it out), SMSSync `sent_timestamp`
(the only time SMSSync sends: the network's time stamp, seconds before receipt).

A mapping raises ApiError (401 bad signature, 400 bad field) before anything is
stored, or returns None for an event that is not a received SMS (acknowledged and
ignored).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from psycopg.types.json import Jsonb

from api.config import Settings, gateway_secret_variable
from api.errors import ApiError
from api.group_commit import Delivery
from api.payload import optional_string, parse_object, storable
from api.security import (
    jwt_hs256_claims,
    secret_matches,
    signature_valid,
    timestamp_fresh,
    timestamped_signature_valid,
)

HTTPSMS_ISSUER = "api.httpsms.com"
# The longest lifetime an httpsms token may claim (it signs exp = now + 10 min).
HTTPSMS_MAX_TOKEN_SECONDS = 3600
# Latest epoch millisecond accepted (9999-12-31): anything larger is not a time.
MAX_EPOCH_MS = 253_402_300_799_999
_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True, slots=True)
class Request:
    """What a mapping may read: the raw body, the WSGI environ, the settings, the clock."""

    body: bytes
    environ: Mapping[str, Any]
    settings: Settings
    now: float

    def header(self, name: str) -> str | None:
        value = self.environ.get("HTTP_" + name.upper().replace("-", "_"))
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Gateway:
    name: str
    map: Callable[[Request, tuple[bytes, ...]], Delivery | None]
    ok: Callable[[str, bool], str]  # (inbox id, duplicate) -> JSON body of the 200
    error: Callable[[ApiError], str | None]  # the gateway's error body; None: the JSON shape
    ignored: str = '{"ok":true,"ignored":true}'
    methods: tuple[str, ...] = ("POST",)  # what the app may send (SMSSync: POST or PUT)
    # The route answers other methods itself (405 in the gateway's own error shape)
    # instead of leaving them to Flask's JSON 405.
    refuses_other_methods: bool = False


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid_field", message, field)


def _spec_ok(inbox_id: str, duplicate: bool) -> str:
    if duplicate:
        return f'{{"ok":true,"duplicate":true,"inboxId":"{inbox_id}"}}'
    return f'{{"ok":true,"inboxId":"{inbox_id}"}}'


def _no_body(_error: ApiError) -> str | None:
    return None


# --- values ------------------------------------------------------------------------------------


def _string(payload: dict[str, Any], field: str, label: str, required: bool = False) -> str | None:
    """optional_string, naming the field as the gateway's request does (`payload.message`)."""
    try:
        return optional_string(payload, field, required)
    except ApiError as error:
        raise invalid(label, error.message.replace(field, label, 1)) from None


def _iso_time(value: str | None, label: str, request: Request) -> str | None:
    """An ISO-8601 time with an offset, fractions cut to microseconds; refused in the future."""
    if value is None:
        return None
    value = _FRACTION.sub(r"\1", value)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(label, f"{label} must be an ISO-8601 date-time with an offset") from None
    if instant.tzinfo is None:
        raise invalid(label, f"{label} must carry its offset (device local time with offset)")
    _not_in_future(instant.timestamp(), label, request)
    return value


def _epoch_ms(value: Any, label: str, request: Request) -> str | None:
    """Epoch milliseconds (a number or a string of digits) as an ISO-8601 UTC time."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_EPOCH_MS:
        raise invalid(label, f"{label} must be a time in epoch milliseconds")
    _not_in_future(value / 1000, label, request)
    instant = datetime.fromtimestamp(value / 1000, tz=UTC)
    return instant.isoformat(timespec="milliseconds")


def _not_in_future(seconds: float, label: str, request: Request) -> None:
    if seconds > request.now + request.settings.signature_tolerance_seconds:
        raise invalid(label, f"{label} is in the future")


def _metadata(gateway: str, **fields: Any) -> Jsonb:
    """What the gateway said beyond the SMS, for a person investigating (never a secret)."""
    kept = {k: v for k, v in fields.items() if v is not None and storable(v)}
    return Jsonb({"gateway": gateway, **kept})


# --- sms-gate ----------------------------------------------------------------------------------


def map_sms_gate(request: Request, secrets: tuple[bytes, ...]) -> Delivery | None:
    stamp = request.header("X-Timestamp")
    if not timestamp_fresh(stamp, request.now, request.settings.signature_tolerance_seconds):
        raise unauthorized("missing X-Timestamp, or one outside the accepted window")
    assert stamp is not None
    if not timestamped_signature_valid(request.body, stamp, request.header("X-Signature"), secrets):
        raise unauthorized("missing or invalid X-Signature")

    event = parse_object(request.body)
    if event.get("event") != "sms:received":
        return None
    payload = event.get("payload")
    if not isinstance(payload, dict):
        raise invalid("payload", "payload must be an object")
    message = _string(payload, "message", "payload.message", required=True)
    assert message is not None
    sender = _string(payload, "sender", "payload.sender") or _string(
        payload, "phoneNumber", "payload.phoneNumber"
    )
    received_at = _iso_time(
        _string(payload, "receivedAt", "payload.receivedAt"), "payload.receivedAt", request
    )
    message_id = _string(payload, "messageId", "payload.messageId") or _string(event, "id", "id")
    device_id = _string(event, "deviceId", "deviceId")
    sim = payload.get("simNumber")
    if sim is not None and (isinstance(sim, bool) or not isinstance(sim, int) or sim < 0):
        raise invalid("payload.simNumber", "payload.simNumber must be a SIM number")
    # The phone's own number when the app knows it; else the device and SIM (a phone
    # whose app does not report the SIM has one: SIM 1).
    account = _string(payload, "recipient", "payload.recipient")
    if not account and device_id:
        account = f"sms-gate:{device_id}/sim{1 if sim is None else sim}"
    return Delivery(
        message,
        sender,
        received_at,
        "sms-gate",
        _metadata(
            "sms-gate",
            eventId=event.get("id"),
            webhookId=event.get("webhookId"),
            deviceId=device_id,
            simNumber=sim,
        ),
        account,
        "sms-gate",
        message_id,
    )


# --- httpsms -----------------------------------------------------------------------------------


def _httpsms_claims_valid(claims: dict[str, Any], request: Request) -> str | None:
    """Why the claims are refused, or None when every one checks out."""
    now = request.now
    leeway = request.settings.signature_tolerance_seconds
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if request.settings.httpsms_audience not in audiences:
        return "audience"
    if claims.get("iss") != HTTPSMS_ISSUER:
        return "issuer"
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        return "subject"
    expires, not_before = claims.get("exp"), claims.get("nbf")
    for value in (expires, not_before):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "times"
    assert isinstance(expires, int | float) and isinstance(not_before, int | float)
    if now >= expires + leeway or now < not_before - leeway:
        return "expired"
    if expires - now > HTTPSMS_MAX_TOKEN_SECONDS:
        return "lifetime"
    issued = claims.get("iat")
    if issued is not None and (
        isinstance(issued, bool) or not isinstance(issued, int | float) or issued > now + leeway
    ):
        return "issued"
    return None


def map_httpsms(request: Request, secrets: tuple[bytes, ...]) -> Delivery | None:
    if not request.settings.httpsms_audience:
        raise unauthorized("MOMO_SMS_GATEWAY_HTTPSMS_URL is not set: this route is closed")
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    claims = jwt_hs256_claims(token.strip(), secrets) if scheme.lower() == "bearer" else None
    if claims is None or _httpsms_claims_valid(claims, request) is not None:
        raise unauthorized("missing or invalid bearer token")

    event = parse_object(request.body)
    if event.get("type") != "message.phone.received":
        return None
    data = event.get("data")
    if not isinstance(data, dict):
        raise invalid("data", "data must be an object")
    if data.get("encrypted") is True:
        raise invalid("data.encrypted", "encrypted messages cannot be read: turn encryption off")
    message = _string(data, "content", "data.content", required=True)
    assert message is not None
    return Delivery(
        message,
        _string(data, "contact", "data.contact"),
        _iso_time(_string(data, "timestamp", "data.timestamp"), "data.timestamp", request),
        "httpsms",
        _metadata("httpsms", eventId=event.get("id"), sim=data.get("sim")),
        _string(data, "owner", "data.owner"),
        "httpsms",
        _string(data, "message_id", "data.message_id"),
    )


# --- smssync -----------------------------------------------------------------------------------


# SMSSync's "test sync URL" request (AppHttpClient.initTestRequest): the secret, this
# sender and this text, nothing else. It is answered as a success and stored nowhere.
SMSSYNC_TEST_FROM = "+000000000000"
SMSSYNC_TEST_MESSAGE = "Test Message From SMSSync Integration"


def _form(request: Request) -> dict[str, Any]:
    """SMSSync posts URL-encoded fields (its default) or, if chosen in the app, JSON.

    Its XML (and YAML) options are refused with 415 before anything is read.
    """
    content_type = str(request.environ.get("CONTENT_TYPE", "")).lower()
    if "json" in content_type:
        return parse_object(request.body)
    if content_type and "x-www-form-urlencoded" not in content_type:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"SMSSync data format {content_type.split(';')[0]} is not supported: choose "
            "URL-encoded (the default) or JSON in the sync URL's settings",
        )
    try:
        fields = parse_qs(request.body.decode("utf-8"), keep_blank_values=True, max_num_fields=32)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(
            400, "invalid_form", "request body must be URL-encoded form fields"
        ) from None
    return {name: values[0] for name, values in fields.items()}


def map_smssync(request: Request, secrets: tuple[bytes, ...]) -> Delivery | None:
    form = _form(request)
    given = form.get("secret")
    if not secret_matches(given if isinstance(given, str) else None, secrets):
        raise unauthorized("missing or invalid secret")
    if form.get("from") == SMSSYNC_TEST_FROM and form.get("message") == SMSSYNC_TEST_MESSAGE:
        return None  # the app's "test sync URL": the secret is right, nothing to store
    message = _string(form, "message", "message", required=True)
    assert message is not None
    sent_to = _string(form, "sent_to", "sent_to")
    device_id = _string(form, "device_id", "device_id")
    account = sent_to or (f"smssync:{device_id}" if device_id else None)
    return Delivery(
        message,
        _string(form, "from", "from"),
        _epoch_ms(form.get("sent_timestamp"), "sent_timestamp", request),
        "smssync",
        _metadata("smssync", deviceId=device_id),
        account,
        "smssync",
        _string(form, "message_id", "message_id") or None,
    )


def _smssync_ok(_inbox_id: str, _duplicate: bool) -> str:
    return '{"payload":{"success":true,"error":null}}'


def _smssync_error(error: ApiError) -> str:
    return json.dumps({"payload": {"success": False, "error": error.message}})


# --- android-income ----------------------------------------------------------------------------


def _android_income_authenticated(request: Request, secrets: tuple[bytes, ...]) -> str:
    """How the request proved itself: "bearer" (the static header the released app can
    send: the sender knew a secret) or "hmac" (X-Signature of a signing build: the body
    is the one signed). Raises 401 otherwise; every candidate is compared in constant time.
    """
    signature = request.header("X-Signature")
    if signature is not None:
        if signature_valid(request.body, signature, secrets):
            return "hmac"
        raise unauthorized("invalid X-Signature")
    scheme, _, token = (request.header("Authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and secret_matches(token.strip(), secrets):
        return "bearer"
    raise unauthorized(
        "missing or invalid Authorization: Bearer <secret> (add it as a custom header in the app)"
    )


def map_android_income(request: Request, secrets: tuple[bytes, ...]) -> Delivery | None:
    authentication = _android_income_authenticated(request, secrets)
    payload = parse_object(request.body)
    message = _string(payload, "text", "text", required=True)
    assert message is not None
    stamp = payload.get("receivedStamp")
    label = "receivedStamp"
    if stamp is None or stamp == "":
        stamp, label = payload.get("sentStamp"), "sentStamp"
    sim = payload.get("sim")
    sim_label = str(sim) if isinstance(sim, str | int) and not isinstance(sim, bool) else None
    account = _string(payload, "to", "to") or (f"android-income:{sim_label}" if sim_label else None)
    return Delivery(
        message,
        _string(payload, "from", "from"),
        _epoch_ms(stamp, label, request),
        "android-income",
        _metadata(
            "android-income",
            sentStamp=payload.get("sentStamp"),
            sim=sim_label,
            authentication=authentication,
        ),
        account,
        "android-income",
        None,
    )


GATEWAYS: dict[str, Gateway] = {
    gateway.name: gateway
    for gateway in (
        Gateway("sms-gate", map_sms_gate, _spec_ok, _no_body),
        Gateway("httpsms", map_httpsms, _spec_ok, _no_body),
        Gateway(
            "smssync",
            map_smssync,
            _smssync_ok,
            _smssync_error,
            ignored='{"payload":{"success":true,"error":null}}',
            methods=("POST", "PUT"),
            refuses_other_methods=True,
        ),
        Gateway("android-income", map_android_income, _spec_ok, _no_body),
    )
}


def secrets_for(route: str, settings: Settings) -> tuple[bytes, ...]:
    """The route's secrets; none refuses every request (401 naming the variable to set)."""
    secrets = settings.gateway_secrets.get(route, ())
    if not secrets:
        raise unauthorized(f"{gateway_secret_variable(route)} is not set: this route is closed")
    return secrets


def now() -> float:
    return time.time()
