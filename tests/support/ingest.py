"""Helpers shared by the ingest tests."""

from __future__ import annotations

import psycopg


def inbox_state(admin: psycopg.Connection) -> tuple[int, int]:
    """(rows in the inbox, sum of their duplicate counts): what a request may change."""
    row = admin.execute(
        "select count(*), coalesce(sum(duplicate_count), 0) from momo_sms_inbox"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
