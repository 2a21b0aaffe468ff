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
from psycopg import sql
from psycopg.rows import dict_row

from tests.support.locks import waits_for_commit

__all__ = ["one_row", "raises_sqlstate", "reset_database", "rows", "scalar", "waits_for_commit"]

# Tables whose rows are configuration shipped by migrations, not test data.
SEED_TABLES = {"schema_version", "app_settings", "momo_sms_formats", "momo_provider_senders"}


# Each test table with the sequences it owns (identity columns): `restart identity`
# resets those.
TEST_TABLES = """
select
    format('%%I.%%I', n.nspname, c.relname),
    coalesce(
        array_agg(format('%%I.%%I', sn.nspname, s.relname)) filter (where s.oid is not null),
        '{}'
    )
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
left join pg_depend as d
    on d.refclassid = 'pg_class'::regclass and d.refobjid = c.oid
    and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')
left join pg_class as s on s.oid = d.objid and s.relkind = 'S'
left join pg_namespace as sn on sn.oid = s.relnamespace
where n.nspname in ('public', 'monitoring') and c.relkind in ('r', 'p')
    and not (c.relname = any(%s))
group by 1
order by 1
"""


def reset_database(conn: psycopg.Connection) -> None:
    """Empty every table but the seed tables (identity restarted), default settings, cron
    jobs paused.

    Only the tables a test used are truncated (a truncate makes new files for the table
    and its indexes, about 60 ms for all of them): under an exclusive lock on every table,
    which waits for any session a test left committing, a table is used if it has a row
    or one of its sequences has been called."""
    tables = conn.execute(TEST_TABLES, (list(SEED_TABLES),)).fetchall()
    with conn.transaction():
        # replica mode: the append-only guards must not stop the test reset
        conn.execute("set local session_replication_role = replica")
        if tables:
            names = sql.SQL(", ").join(sql.SQL(name) for name, _ in tables)
            conn.execute(sql.SQL("lock table {} in access exclusive mode").format(names))
            used = sql.SQL(" union all ").join(
                sql.SQL("select {} where {}").format(
                    sql.Literal(name),
                    sql.SQL(" or ").join(
                        [sql.SQL("exists (select from {})").format(sql.SQL(name))]
                        + [
                            sql.SQL("(select is_called from {})").format(sql.SQL(seq))
                            for seq in seqs
                        ]
                    ),
                )
                for name, seqs in tables
            )
            dirty = [row[0] for row in conn.execute(used)]
            if dirty:
                conn.execute(
                    sql.SQL("truncate {} restart identity cascade").format(
                        sql.SQL(", ").join(sql.SQL(name) for name in dirty)
                    )
                )
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
