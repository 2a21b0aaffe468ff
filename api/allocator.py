"""POST /functions/v1/momo-allocator: run one allocation batch now (bearer token)."""

from __future__ import annotations

import logging

import psycopg
from flask import Blueprint, Response, jsonify, request

from api import context
from api.db import Role
from api.errors import ApiError
from api.logs import log_event
from api.payload import parse_object
from api.security import bearer_token_valid

bp = Blueprint("allocator", __name__)


def _requested_limit() -> int | None:
    body = request.get_data(cache=False)
    if not body.strip():
        return None
    payload = parse_object(body)
    limit = payload.get("limit")
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or abs(limit) >= 2**31:
        raise ApiError(400, "invalid_field", "limit must be a whole number", "limit")
    return limit


@bp.post("/functions/v1/momo-allocator")
def momo_allocator() -> Response:
    settings = context.settings()
    if not bearer_token_valid(request, settings.allocator_token):
        log_event("momo_allocator.rejected", logging.WARNING, reason="token")
        raise ApiError(401, "unauthorized", "missing or invalid bearer token")
    limit = _requested_limit()
    db = context.database()
    try:
        with db.connection(Role.ALLOCATOR) as conn:
            row = conn.execute("select momo_allocate(%s::integer)", (limit,)).fetchone()
    except psycopg.Error as exc:
        if exc.sqlstate == "MM409":  # momo_allocator_pause(): nothing was claimed
            log_event("momo_allocator.paused", logging.WARNING)
            raise ApiError(
                409,
                "allocator_paused",
                "the allocator is paused: SMS wait in the inbox until momo_allocator_resume()",
            ) from exc
        raise
    assert row is not None
    summary = row[0]
    fault = summary.get("fault")
    if fault is not None:
        # Nothing was processed and no SMS was charged an attempt; a later run retries.
        log_event("momo_allocator.failing", logging.ERROR, sqlstate=fault["sqlstate"])
        raise ApiError(
            503,
            "allocator_failing",
            f"allocator failing as a whole: {fault['sqlstate']} {fault['message']}",
        )
    log_event(
        "momo_allocator.batch",
        processed=summary["processed"],
        allocated=summary["allocated"],
        unmatched=summary["unmatched"],
        duplicates=summary["duplicates"],
        skipped=summary["skipped"],
        errors=len(summary["errors"]),
    )
    return jsonify({"ok": True, "summary": summary})
