"""db/schema.sql is the schema the migrations build, so a reviewer sees every
table change as a diff of one file.

A fresh scratch database on the test server is migrated (scripts/migrate.sh)
and dumped with the normalisation `make schema` uses (scripts/schema_dump.sh).
"""

from __future__ import annotations

import difflib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import sql

# Migrates a scratch database from nothing (a migration test).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "db" / "schema.sql"


def run(*args: str) -> str:
    result = subprocess.run(
        [str(ROOT / "scripts" / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def schema_diff(expected: str, actual: str) -> str:
    """The unified diff from db/schema.sql to a dump; empty when they agree."""
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            "db/schema.sql",
            "the migrated database",
        )
    )


def database_url(db_url: str, name: str) -> str:
    return urlparse(db_url)._replace(path=f"/{name}").geturl()


def drop(db_url: str, name: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def migrated(db_url: str) -> Iterator[str]:
    """The name of a freshly migrated scratch database."""
    name = f"baskets_schema_test_{os.getpid()}"
    drop(db_url, name)
    with psycopg.connect(db_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        run("migrate.sh", database_url(db_url, name))
        yield name
    finally:
        drop(db_url, name)


def test_schema_file_is_what_the_migrations_build(db_url, migrated):
    diff = schema_diff(
        SCHEMA_FILE.read_text(), run("schema_dump.sh", database_url(db_url, migrated))
    )
    if diff:
        pytest.fail(
            f"db/schema.sql differs from a freshly migrated database:\n{diff}\n"
            "run `make schema` and commit db/schema.sql",
            pytrace=False,
        )


def test_a_table_changed_without_the_schema_file_is_reported(db_url, migrated):
    name = f"{migrated}_changed"
    drop(db_url, name)
    with psycopg.connect(db_url, autocommit=True) as admin:
        # a copy of the migrated database, as if one more migration had run
        admin.execute(
            sql.SQL("create database {} template {}").format(
                sql.Identifier(name), sql.Identifier(migrated)
            )
        )
    try:
        with psycopg.connect(database_url(db_url, name), autocommit=True) as conn:
            conn.execute("alter table momo_sms_inbox add column schema_test_note text")
        diff = schema_diff(
            SCHEMA_FILE.read_text(), run("schema_dump.sh", database_url(db_url, name))
        )
    finally:
        drop(db_url, name)

    added = [
        line for line in diff.splitlines() if line.startswith("+") and "schema_test_note" in line
    ]
    assert [line.rstrip(",") for line in added] == ["+    schema_test_note text"]
