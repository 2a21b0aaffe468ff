"""Two migration runs at once against one database both succeed (issue 24, item 7).

Two `make run` started together stopped one of them in the migration step with
"tuple concurrently updated" (both re-applied the same function files). The runs
now take turns on an advisory lock; here on a fresh scratch database, then again
when nothing is pending (both re-apply the functions, views and grants).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

from api.health import MIGRATIONS_DIR

MIGRATE = Path(__file__).resolve().parent.parent / "scripts" / "migrate.sh"


@pytest.fixture
def fresh_url(db_url: str) -> Iterator[str]:
    name = f"baskets_race_{os.getpid()}"
    with psycopg.connect(db_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield urlparse(db_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(db_url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


def two_at_once(url: str) -> list[subprocess.CompletedProcess]:
    runs = [
        subprocess.Popen(
            [str(MIGRATE), url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    results = []
    for run in runs:
        out, _ = run.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(run.args, run.returncode, out))
    return results


def test_item_7_two_migrations_at_once_both_succeed(fresh_url):
    for attempt in ("fresh", "nothing pending"):
        results = two_at_once(fresh_url)
        assert [r.returncode for r in results] == [0, 0], (attempt, [r.stdout for r in results])
        assert not any("concurrently updated" in r.stdout for r in results)
    with psycopg.connect(fresh_url) as conn:
        versions = [v for (v,) in conn.execute("select version from schema_version order by 1")]
        # Every function file applied once per run, and the grants last: the ledger's
        # correction function is there and only app_dba may run it.
        assert conn.execute(
            "select has_function_privilege('app_dba', 'ledger_reverse(bigint, text)', 'execute'),"
            " has_function_privilege('app_analyst', 'ledger_reverse(bigint, text)', 'execute')"
        ).fetchone() == (True, False)
    files = sorted(int(f.name[1:].split("__")[0]) for f in MIGRATIONS_DIR.glob("V*__*.sql"))
    assert versions == files
