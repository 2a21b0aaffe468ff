"""One JSON error shape for every failure, and the SQLSTATE -> HTTP mapping.

Shape: {"ok": false, "error": {"code": "...", "message": "...", "field": "..."}}
("field" only when one input field is at fault). Project SQLSTATEs are
MM<http status> (see docs/errors.md), so the database decides the status.
"""

from __future__ import annotations

import logging

import psycopg
from flask import Flask, Response, jsonify, request
from psycopg_pool import PoolTimeout
from werkzeug.exceptions import HTTPException

from api.logs import log_event

PROJECT_SQLSTATES = {"MM400", "MM401", "MM402", "MM403", "MM404", "MM409", "MM422"}
_SQLSTATE_CODES = {
    "MM400": "invalid_input",
    "MM401": "unauthorized",
    "MM402": "insufficient_credit",
    "MM403": "forbidden",
    "MM404": "not_found",
    "MM409": "conflict",
    "MM422": "unprocessable",
}


class ApiError(Exception):
    """An error the client can act on; rendered as the JSON error shape."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    @classmethod
    def from_database(cls, exc: psycopg.Error) -> ApiError | None:
        """The ApiError for a project SQLSTATE, or None for an unexpected database error."""
        state = exc.sqlstate or ""
        if state not in PROJECT_SQLSTATES:
            return None
        return cls(
            int(state[2:]),
            _SQLSTATE_CODES[state],
            exc.diag.message_primary or "rejected by the database",
            exc.diag.column_name,
        )


def error_response(error: ApiError) -> Response:
    body: dict[str, str] = {"code": error.code, "message": error.message}
    if error.field:
        body["field"] = error.field
    response = jsonify({"ok": False, "error": body})
    response.status_code = error.status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = (error.name or "error").lower().replace(" ", "_")
        message = {
            404: "no such endpoint",
            405: f"method {request.method} is not allowed here",
            413: "request body is too large",
        }.get(status, error.description or error.name or "error")
        return error_response(ApiError(status, code, message))

    @app.errorhandler(psycopg.Error)
    def _database_error(error: psycopg.Error) -> Response:
        api_error = ApiError.from_database(error)
        if api_error is not None:
            return error_response(api_error)
        if isinstance(error, psycopg.OperationalError):
            log_event("http.database_unavailable", logging.ERROR, path=request.path)
            return error_response(ApiError(503, "unavailable", "database unavailable"))
        log_event(
            "http.database_error",
            logging.ERROR,
            path=request.path,
            sqlstate=error.sqlstate,
            error=type(error).__name__,
        )
        return error_response(ApiError(500, "internal_error", "internal error"))

    @app.errorhandler(PoolTimeout)
    def _pool_timeout(_error: PoolTimeout) -> Response:
        log_event("http.database_unavailable", logging.ERROR, path=request.path)
        return error_response(ApiError(503, "unavailable", "database unavailable"))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log_event(
            "http.internal_error", logging.ERROR, path=request.path, error=type(error).__name__
        )
        return error_response(ApiError(500, "internal_error", "internal error"))
