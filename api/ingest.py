"""POST /functions/v1/momo-sms-hook: store every SMS the gateway forwards, once.

The spec's route takes the spec's JSON (X-Signature, or Standard Webhooks
headers); POST /functions/v1/momo-sms-hook/<gateway> takes a gateway's own
request (api/gateways.py). Both end in _store: the same validation (SQL),
group commit, dedupe, logs and metrics. The blueprint owns the app's group
committer (api/group_commit.py), created when the blueprint is registered.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

import psycopg
from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from psycopg import sql
from psycopg.types.json import Jsonb
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

from api import context
from api.config import Settings
from api.db import Role, set_role
from api.errors import ApiError
from api.gateways import GATEWAYS, Gateway, secrets_for
from api.gateways import Request as GatewayRequest
from api.group_commit import Delivery, GroupCommitter
from api.logs import log_event
from api.payload import optional_string, parse_object, storable
from api.security import (
    address_allowed,
    client_address,
    signature_valid,
    standard_webhooks_valid,
)

bp = Blueprint("ingest", __name__)


def group_committer(settings: Settings) -> GroupCommitter:
    """A group committer for SMS ingest; it opens its own connection at its first batch."""
    return GroupCommitter(
        partial(_committer_connection, settings), wait_timeout=settings.ingest_timeout_seconds
    )


def _committer_connection(settings: Settings) -> psycopg.Connection:
    bound = settings.ingest_timeout_seconds
    conn = psycopg.connect(
        settings.database_url,
        autocommit=True,
        application_name=f"api:{Role.INGEST}:group-commit",
        connect_timeout=max(2, bound),
        # A dropped network: the kernel gives up on unacknowledged data after
        # tcp_user_timeout, and keepalives find an idle peer gone, so a read
        # does not wait for TCP's own retransmission limit (~15 minutes).
        keepalives=1,
        keepalives_idle=5,
        keepalives_interval=2,
        keepalives_count=2,
        tcp_user_timeout=bound * 1000,
    )
    set_role(conn, Role.INGEST)
    # A batch stuck behind another session's uncommitted copy of one of its SMS
    # would hold up every delivery of this worker: fail it fast instead. A
    # statement the server is slow to finish is cancelled after the same bound
    # the committer waits (GroupCommitter's watchdog covers a silent server).
    timeout = sql.Literal(f"{settings.ingest_lock_timeout_ms}ms")
    conn.execute(sql.SQL("set lock_timeout = {}").format(timeout))
    conn.execute(sql.SQL("set statement_timeout = {}").format(sql.Literal(f"{bound * 1000}ms")))
    return conn


def _setup(state: BlueprintSetupState) -> None:
    """One committer per app, so per gunicorn worker; api.close_app closes it."""
    app = state.app
    app.extensions[context.INGEST_COMMITTER] = group_committer(context.settings(app))


bp.record_once(_setup)


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
    settings = context.settings()
    client = client_address(request, settings.trusted_proxy_hops)
    body = _admitted_body(settings, client)

    # The environ directly (as request.headers.get("X-Signature") would read it): once per SMS.
    environ = request.environ
    webhook_id: str | None = None
    if settings.hmac_secrets:
        if "HTTP_WEBHOOK_SIGNATURE" in environ:
            # Standard Webhooks, the generic signed mode: id and time are signed too.
            webhook_id = environ.get("HTTP_WEBHOOK_ID")
            if not standard_webhooks_valid(
                body,
                webhook_id,
                environ.get("HTTP_WEBHOOK_TIMESTAMP"),
                environ.get("HTTP_WEBHOOK_SIGNATURE"),
                settings.hmac_secrets,
                time.time(),
                settings.signature_tolerance_seconds,
            ):
                error = ApiError(401, "unauthorized", "missing or invalid webhook-signature")
                raise _reject(error, "signature", client)
        elif not signature_valid(body, environ.get("HTTP_X_SIGNATURE"), settings.hmac_secrets):
            error = ApiError(401, "unauthorized", "missing or invalid X-Signature")
            raise _reject(error, "signature", client)

    try:
        payload = parse_object(body)
        message = optional_string(payload, "message", required=True)
        msisdn = optional_string(payload, "msisdn")
        received_at = optional_string(payload, "receivedAt")
        ingest_source = optional_string(payload, "ingestSource")
        receiving_account = (
            optional_string(payload, "receivingAccount") or settings.receiving_account
        )
        metadata = payload.get("metadata")
        if not storable(metadata):
            raise ApiError(
                400, "invalid_field", "metadata contains values that cannot be stored", "metadata"
            )
    except ApiError as error:
        raise _reject(error, error.code, client) from None
    delivery = Delivery(
        message,  # type: ignore[arg-type]  # required=True: never None
        msisdn,
        received_at,
        ingest_source,
        None if metadata is None else Jsonb(metadata),
        receiving_account,
        None if webhook_id is None else "webhook",
        webhook_id,
    )
    inbox_id, duplicate = _store(delivery, client, len(body))
    if duplicate:
        return _answer(f'{{"ok":true,"duplicate":true,"inboxId":"{inbox_id}"}}')
    return _answer(f'{{"ok":true,"inboxId":"{inbox_id}"}}')


def _gateway_hook(gateway: Gateway) -> Callable[[], Response]:
    def hook() -> Response:
        settings = context.settings()
        client = client_address(request, settings.trusted_proxy_hops)
        try:
            if request.method not in gateway.methods:
                allowed = " or ".join(gateway.methods)
                raise ApiError(
                    405, "method_not_allowed", f"method {request.method} is not allowed: {allowed}"
                )
            body = _admitted_body(settings, client)
            try:
                delivery = gateway.map(
                    GatewayRequest(body, request.environ, settings, time.time()),
                    secrets_for(gateway.name, settings),
                )
            except ApiError as error:
                reason = "signature" if error.status == 401 else error.code
                raise _reject(error, reason, client) from None
            if delivery is None:
                log_event("momo_sms_hook.ignored", gateway=gateway.name, client=client)
                return _answer(gateway.ignored)
            try:
                inbox_id, duplicate = _store(delivery, client, len(body))
            except psycopg.Error as exc:
                raise _database_failure(exc) from None
        except ApiError as error:
            error_body = gateway.error(error)
            if error_body is None:
                raise
            response = _answer(error_body)
            response.status_code = error.status
            return response
        return _answer(gateway.ok(inbox_id, duplicate))

    hook.__name__ = "momo_sms_hook_" + gateway.name.replace("-", "_")
    return hook


def _database_failure(exc: psycopg.Error) -> ApiError:
    """A database failure while storing, as the gateway's own error (503: it retries)."""
    if isinstance(exc, psycopg.OperationalError):
        log_event("http.database_unavailable", logging.ERROR, path=request.path)
        return ApiError(503, "unavailable", "database unavailable")
    log_event(
        "http.database_error",
        logging.ERROR,
        path=request.path,
        sqlstate=exc.sqlstate,
        error=type(exc).__name__,
    )
    return ApiError(500, "internal_error", "internal error")


# A gateway that answers every error in its own shape (SMSSync) takes every method and
# refuses the ones it does not serve itself (405); the others leave that to Flask.
_EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]
for _gateway in GATEWAYS.values():
    bp.add_url_rule(
        f"/functions/v1/momo-sms-hook/{_gateway.name}",
        view_func=_gateway_hook(_gateway),
        methods=_EVERY_METHOD if _gateway.refuses_other_methods else list(_gateway.methods),
    )


def _admitted_body(settings: Settings, client: str | None) -> bytes:
    """The body of a caller the allow-list admits (403), within the size limit (413)."""
    if settings.allowed_networks and not address_allowed(client, settings.allowed_networks):
        raise _reject(ApiError(403, "forbidden", "caller address is not allowed"), "ip", client)
    try:
        return _read_body(settings.max_body_bytes, settings.body_read_timeout_seconds)
    except RequestEntityTooLarge:
        error = ApiError(413, "request_entity_too_large", "request body is too large")
        raise _reject(error, "too_large", client) from None
    except BodyTimeout:
        error = ApiError(408, "request_timeout", "the request body took too long to arrive")
        raise _reject(error, "slow_body", client) from None


def _store(delivery: Delivery, client: str | None, size: int) -> tuple[str, bool]:
    """Store one mapped delivery (group commit): its inbox id and whether it was a repeat."""
    try:
        stored = context.ingest_committer().store(delivery)
    except psycopg.Error as exc:
        # The function's own checks (MM400) are rejections too; anything else is ours.
        error = ApiError.from_database(exc)
        if error is None:
            raise
        raise _reject(error, error.code, client) from None

    inbox_id = str(stored.inbox_id)
    if stored.duplicate:
        log_event(
            "momo_sms_hook.duplicate",
            inboxId=inbox_id,
            gateway=delivery.gateway,
            client=client,
        )
    else:
        log_event(
            "momo_sms_hook.received",
            inboxId=inbox_id,
            ingestSource=delivery.ingest_source or "gateway",
            gateway=delivery.gateway,
            bytes=size,
            client=client,
        )
    return inbox_id, stored.duplicate


class BodyTimeout(Exception):
    """The body did not arrive within MOMO_SMS_BODY_READ_TIMEOUT_SECONDS."""


def _read_body(limit: int, timeout: int) -> bytes:
    """The request body; RequestEntityTooLarge above `limit` bytes, BodyTimeout after `timeout`.

    A client that declares a large body and sends it slowly would otherwise hold
    its greenlet (and the connection) before the signature is even checked.
    """
    environ = request.environ
    length = get_content_length(environ)  # request.content_length, without the header wrapper
    if length is not None and length > limit:
        raise RequestEntityTooLarge()
    with _deadline(timeout):
        if length is None:
            return _read_chunked(environ, limit)
        # A declared length within the limit: read it from the server's input directly
        # (werkzeug's stream wrapping costs more than the read, once per SMS).
        return environ["wsgi.input"].read(length)


def _read_chunked(environ: dict, limit: int) -> bytes:
    """A body without Content-Length (chunked): at most `limit` bytes, else RequestEntityTooLarge.

    werkzeug's own stream stops at MAX_CONTENT_LENGTH without a word (its readall
    returns the first `limit` bytes), so a signed oversized body failed its signature
    (401) instead of being refused for its size (413): read one byte past the limit.
    """
    if not environ.get("wsgi.input_terminated"):
        return b""  # a server that does not end the stream itself: never read it (werkzeug's rule)
    stream = environ["wsgi.input"]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(64 * 1024, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        raise RequestEntityTooLarge()
    return b"".join(parts)


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Interrupt the body read after `seconds` under gevent (the app's server).

    gunicorn's gthread workers read the request with their own socket timeout;
    without gevent this bound is left to them.
    """
    if not _gevent_patched():
        yield
        return
    import gevent  # only present where gunicorn runs gevent workers

    timeout = gevent.Timeout(seconds, BodyTimeout)
    timeout.start()
    try:
        yield
    finally:
        timeout.close()


def _gevent_patched() -> bool:
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))


def _answer(body: str) -> Response:
    """The 200 answer, written directly: its only variable part is a bigint's digits."""
    return current_app.response_class(body, mimetype="application/json")
