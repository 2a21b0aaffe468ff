"""POST /functions/v1/momo-sms-hook: store every SMS the gateway forwards, once."""

from __future__ import annotations

import logging

import psycopg
from flask import Blueprint, Response, current_app, request
from psycopg.types.json import Jsonb
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

from api.config import Settings
from api.db import Database
from api.errors import ApiError
from api.group_commit import Delivery
from api.logs import log_event
from api.payload import optional_string, parse_object, storable
from api.security import address_allowed, client_address, signature_valid

bp = Blueprint("ingest", __name__)


def _reject(error: ApiError, reason: str, client: str | None) -> ApiError:
    log_event(
        "momo_sms_hook.rejected",
        logging.WARNING,
        reason=reason,
        status=error.status,
        field=error.field,
        client=client,
    )
    return error


@bp.post("/functions/v1/momo-sms-hook")
def momo_sms_hook() -> Response:
    settings: Settings = current_app.extensions["settings"]
    client = client_address(request, settings.trusted_proxy_hops)

    if settings.allowed_networks and not address_allowed(client, settings.allowed_networks):
        raise _reject(ApiError(403, "forbidden", "caller address is not allowed"), "ip", client)
    try:
        body = _read_body(settings.max_body_bytes)
    except RequestEntityTooLarge:
        error = ApiError(413, "request_entity_too_large", "request body is too large")
        raise _reject(error, "too_large", client) from None
    # The environ directly (as request.headers.get("X-Signature") would read it): once per SMS.
    if settings.hmac_secrets and not signature_valid(
        body, request.environ.get("HTTP_X_SIGNATURE"), settings.hmac_secrets
    ):
        error = ApiError(401, "unauthorized", "missing or invalid X-Signature")
        raise _reject(error, "signature", client)

    try:
        payload = parse_object(body)
        message = optional_string(payload, "message", required=True)
        msisdn = optional_string(payload, "msisdn")
        received_at = optional_string(payload, "receivedAt")
        ingest_source = optional_string(payload, "ingestSource")
        metadata = payload.get("metadata")
        if not storable(metadata):
            raise ApiError(
                400, "invalid_field", "metadata contains values that cannot be stored", "metadata"
            )
        db: Database = current_app.extensions["db"]
        stored = db.ingest_committer().store(
            Delivery(
                message,
                msisdn,
                received_at,
                ingest_source,
                None if metadata is None else Jsonb(metadata),
            )
        )
    except ApiError as error:
        raise _reject(error, error.code, client) from None
    except psycopg.Error as exc:
        # The function's own checks (MM400) are rejections too; anything else is ours.
        error = ApiError.from_database(exc)
        if error is None:
            raise
        raise _reject(error, error.code, client) from None

    inbox_id = str(stored.inbox_id)
    if stored.duplicate:
        log_event("momo_sms_hook.duplicate", inboxId=inbox_id, client=client)
        return _answer(f'{{"ok":true,"duplicate":true,"inboxId":"{inbox_id}"}}')
    log_event(
        "momo_sms_hook.received",
        inboxId=inbox_id,
        ingestSource=ingest_source or "gateway",
        bytes=len(body),
        client=client,
    )
    return _answer(f'{{"ok":true,"inboxId":"{inbox_id}"}}')


def _read_body(limit: int) -> bytes:
    """The request body; RequestEntityTooLarge above `limit` bytes."""
    environ = request.environ
    length = get_content_length(environ)  # request.content_length, without the header wrapper
    if length is None:  # chunked: werkzeug's stream counts it against MAX_CONTENT_LENGTH
        return request.get_data(cache=False)
    if length > limit:
        raise RequestEntityTooLarge()
    # A declared length within the limit: read it from the server's input directly
    # (werkzeug's stream wrapping costs more than the read, once per SMS).
    return environ["wsgi.input"].read(length)


def _answer(body: str) -> Response:
    """The 200 answer, written directly: its only variable part is a bigint's digits."""
    return current_app.response_class(body, mimetype="application/json")
