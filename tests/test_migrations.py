"""scripts/migrate.sh builds a fresh database and can be run again and again.

A scratch database is created on the test server for this module and dropped
after it. pg_cron is loaded only for the test database, so the scratch copy gets
the schema without the scheduler (a warning at migration, not an error).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pgmigrate
import psycopg
import pytest
import yaml
from psycopg import sql

from api import close_app, create_app
from api.config import Settings
from api.health import MIGRATIONS_DIR, expected_migration_version

ROOT = Path(__file__).resolve().parent.parent
MIGRATE = ROOT / "scripts" / "migrate.sh"
DB = ROOT / "db"


def migrate(url: str) -> str:
    result = subprocess.run(
        [str(MIGRATE), url], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr  # progress lines go to stderr


def schema_versions(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("select * from schema_version order by version").fetchall()


def migration_files() -> list[int]:
    return sorted(int(f.name[1:].split("__")[0]) for f in MIGRATIONS_DIR.glob("V*__*.sql"))


@pytest.fixture(scope="module")
def scratch_url(db_url: str) -> Iterator[str]:
    name = f"baskets_scratch_{os.getpid()}"
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


@pytest.fixture(scope="module")
def first_run(scratch_url: str) -> str:
    return migrate(scratch_url)


@pytest.mark.slow
def test_migrations_build_a_fresh_database(scratch_url, first_run):
    assert "Applying" in first_run
    versions = [row[0] for row in schema_versions(scratch_url)]
    assert versions == migration_files()
    assert versions[-1] == expected_migration_version()
    with psycopg.connect(scratch_url) as conn:
        facts = conn.execute("select app_readiness()").fetchone()[0]
        ingest_callable = conn.execute(
            "select has_function_privilege('app_ingest', "
            "'momo_sms_ingest(text, text, text, text, jsonb, text, text, text)', 'execute')"
        ).fetchone()[0]
    assert facts["migration_version"] == expected_migration_version()
    assert facts["pg_cron_installed"] is False  # not the cron database: expected
    assert ingest_callable is True  # the grants ran after the migrations


INGEST = "momo_sms_ingest(text, text, text, text, jsonb, text, text, text)"

TAMPER = f"""
create or replace function app_readiness() returns jsonb language sql as $$ select '{{}}'::jsonb $$;
comment on function {INGEST} is 'tampered';
revoke execute on function {INGEST} from app_ingest;
drop trigger contributions_ledger_append_only on contributions_ledger;
"""

STATE = f"""
select app_readiness() ? 'migration_version',
       obj_description('{INGEST}'::regprocedure),
       has_function_privilege('app_ingest', '{INGEST}',
                              'execute'),
       exists (select from pg_trigger where tgname = 'contributions_ledger_append_only')
"""


@pytest.mark.slow
def test_migrating_again_keeps_the_versions_and_reapplies_functions_and_grants(
    scratch_url, first_run
):
    versions = schema_versions(scratch_url)
    with psycopg.connect(scratch_url, autocommit=True) as conn:
        conn.execute(TAMPER)
        tampered = conn.execute(STATE).fetchone()
    assert tampered == (False, "tampered", False, False)

    second_run = migrate(scratch_url)

    assert "No pending migration" in second_run
    assert schema_versions(scratch_url) == versions
    with psycopg.connect(scratch_url) as conn:
        restored = conn.execute(STATE).fetchone()
    assert restored[0] is True
    assert restored[1] is not None and restored[1].startswith("Stores one SMS")
    assert restored[2:] == (True, True)


@pytest.mark.slow
def test_migrating_the_migrated_test_database_again_changes_nothing(db_url):
    versions = schema_versions(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("comment on function app_readiness() is 'tampered'")

    output = migrate(db_url)

    assert "No pending migration" in output
    assert schema_versions(db_url) == versions
    with psycopg.connect(db_url) as conn:
        comment = conn.execute("select obj_description('app_readiness()'::regprocedure)").fetchone()
    assert comment is not None and comment[0].startswith("Readiness facts for /readyz")


@pytest.mark.slow
def test_a_database_without_pg_cron_is_migrated_but_not_ready(scratch_url, first_run):
    app = create_app(Settings(database_url=scratch_url, pool_size=1))
    try:
        response = app.test_client().get("/readyz")
    finally:
        close_app(app)

    assert response.status_code == 503
    assert response.get_json()["checks"] == {
        "database": True,
        "migrations": True,
        "pg_cron": False,
    }


def after_all() -> list[str]:
    """db/migrations.yml's callbacks.afterAll expanded as pgmigrate expands it."""
    config = yaml.safe_load((DB / "migrations.yml").read_text(encoding="utf-8"))
    return [str(Path(f)) for f in pgmigrate._get_callbacks(config["callbacks"], str(DB)).afterAll]


def test_the_apply_order_lists_every_function_view_and_grant_file():
    files = after_all()
    on_disk = sorted(
        str(f)
        for folder in ("functions", "views", "grants")
        for f in (DB / folder).rglob("*")
        if f.is_file()
    )
    assert sorted(files) == on_disk  # every file, once
    assert all(f.endswith(".sql") for f in files)  # no subfolder or note pgmigrate would run as SQL
    grants = [Path(f).name for f in files if Path(f).parent.name == "grants"]
    assert grants[0] == "reset.sql"  # take everything away first, then grant
    assert files[-len(grants) :] == [str(DB / "grants" / g) for g in grants]  # after every object
