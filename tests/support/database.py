"""The reset between tests and the query helpers every test module uses.

`scalar` reads one value, `one_row` the one row (as a dict), `rows` all rows (as
dicts); `raises_sqlstate` expects a database error with a given SQLSTATE;
`waits_for_commit` (from `locks`, re-exported here) shows a second session blocked
on the first one's lock until the first commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.support.locks import waits_for_commit

__all__ = ["one_row", "raises_sqlstate", "reset_database", "rows", "scalar", "waits_for_commit"]

# Tables whose rows are configuration shipped by migrations, not test data.
SEED_TABLES = {"schema_version", "app_settings", "momo_sms_formats", "momo_provider_senders"}


def reset_database(conn: psycopg.Connection) -> None:
    """Empty every table but the seed tables, default settings, cron jobs paused."""
    tables = [
        row[0]
        for row in conn.execute(
            "select format('%%I.%%I', schemaname, tablename) from pg_tables "
            "where schemaname in ('public', 'monitoring') and not (tablename = any(%s))",
            (list(SEED_TABLES),),
        )
    ]
    with conn.transaction():
        # replica mode: the append-only guards must not stop the test reset
        conn.execute("set local session_replication_role = replica")
        if tables:
            conn.execute(f"truncate {', '.join(tables)} restart identity cascade")
        conn.execute("update app_settings set value = default_value where value <> default_value")
    # The scheduler must not race the tests; cron tests switch their job on.
    conn.execute("select cron.alter_job(jobid, active := false) from cron.job where active")


def scalar(conn: psycopg.Connection, query: str, params: tuple = ()) -> Any:
    """The first column of the first row (there must be a row)."""
    row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


def rows(conn: psycopg.Connection, query: str, params: tuple = ()) -> list[dict[str, Any]]:
    """Every row, as a dict by column name."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall()


def one_row(conn: psycopg.Connection, query: str, params: tuple = ()) -> dict[str, Any]:
    """The one row the query returns (exactly one), as a dict by column name."""
    result = rows(conn, query, params)
    assert len(result) == 1, (query, result)
    return result[0]


@contextmanager
def raises_sqlstate(sqlstate: str, match: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """Expect a database error with `sqlstate` (and a message matching `match`)."""
    with pytest.raises(psycopg.Error) as info:
        yield info
    assert info.value.sqlstate == sqlstate, (info.value.sqlstate, str(info.value))
    if match is not None:
        assert re.search(match, str(info.value)), str(info.value)
