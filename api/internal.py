"""POST /api/internal/release-reservation: an operator releases a leaked credit reservation.

The credit runbook's "Option A". The database decides everything (credit_release():
MM404 unknown id, MM409 not active, audit_log row); this layer checks the admin
bearer token and the body's shape, and turns the released row into JSON.
"""

from __future__ import annotations

import logging

import psycopg
from flask import Blueprint, Response, jsonify, request
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from api import context
from api.db import Role
from api.errors import ApiError
from api.logs import log_event
from api.payload import optional_string, parse_object
from api.security import bearer_token_valid, client_address

bp = Blueprint("internal", __name__)

RELEASE_REASON = "manual_reconciliation"
RELEASE_SQL = (
    'select id, "shopId", "campaignId", amount, status, "releasedAt", '
    "meta ->> 'releaseReason' as release_reason "
    "from credit_release(%s, %s, %s)"
)


def _rejected(error: ApiError, reservation_id: str | None, client: str | None) -> ApiError:
    log_event(
        "credits.release_rejected",
        logging.WARNING,
        reason=error.code,
        status=error.status,
        reservationId=reservation_id,
        client=client,
    )
    return error


@bp.post("/api/internal/release-reservation")
def release_reservation() -> Response:
    settings = context.settings()
    client = client_address(request, settings.trusted_proxy_hops)
    if not bearer_token_valid(request, settings.credits_admin_token):
        raise _rejected(
            ApiError(401, "unauthorized", "missing or invalid admin bearer token"), None, client
        )

    # The runbook's curl sends the JSON without a Content-Type: read the raw body.
    try:
        payload = parse_object(request.get_data(cache=False))
        reservation_id = optional_string(payload, "reservationId", required=True)
    except ApiError as error:
        raise _rejected(error, None, client) from None
    assert reservation_id is not None
    if not reservation_id.strip():
        error = ApiError(400, "invalid_field", "reservationId must not be empty", "reservationId")
        raise _rejected(error, None, client)

    db = context.database()
    try:
        with db.connection(Role.CREDITS) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                RELEASE_SQL,
                (reservation_id, RELEASE_REASON, Jsonb({"releasedVia": "api", "client": client})),
            )
            row = cur.fetchone()
    except psycopg.Error as exc:
        api_error = ApiError.from_database(exc)
        if api_error is None:
            raise
        raise _rejected(api_error, reservation_id, client) from None

    assert row is not None
    log_event(
        "credits.reservation_released",
        reservationId=row["id"],
        shopId=row["shopId"],
        amount=str(row["amount"]),
        reason=RELEASE_REASON,
        client=client,
    )
    return jsonify(
        {
            "ok": True,
            "reservation": {
                "id": row["id"],
                "shopId": row["shopId"],
                "campaignId": row["campaignId"],
                # credits are exact decimals: a string, never a float
                "amount": str(row["amount"]),
                "status": row["status"],
                "releasedAt": row["releasedAt"].isoformat(),
                "releaseReason": row["release_reason"],
            },
        }
    )
