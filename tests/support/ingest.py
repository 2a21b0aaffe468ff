"""Helpers shared by the ingest tests: the inbox a request may change, the one error shape."""

from __future__ import annotations

import psycopg


def inbox_state(admin: psycopg.Connection) -> tuple[int, int]:
    """(rows in the inbox, sum of their duplicate counts): what a request may change."""
    row = admin.execute(
        "select count(*), coalesce(sum(duplicate_count), 0) from momo_sms_inbox"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """The one JSON error shape (api/errors.py): `field` only when one input field is at
    fault, and no stack trace. Returns the error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"ok", "error"}
    assert body["ok"] is False
    error = body["error"]
    assert set(error) <= {"code", "message", "field"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    if field is None:
        assert "field" not in error
    else:
        assert error["field"] == field
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    return error
