"""Shared fixtures: the project's own PostgreSQL (with pg_cron), never a mock.

Fixtures only; the helpers the test modules share are in tests/support.

`make test` starts the test clusters, migrates them, and exports TEST_DATABASE_URL:
one URL, or one per pytest-xdist worker (space separated; worker gwN takes the Nth,
scripts/test_dbs.sh). Every test starts from empty tables (seed tables kept),
default settings and paused cron jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import psycopg
import pytest
from flask import Flask

from api import close_app, create_app
from api.config import Settings

# Helpers in tests/support get pytest's assertion messages, as test modules do.
pytest.register_assert_rewrite("tests.support")

from tests.support.database import reset_database  # noqa: E402

if not os.environ.get("TEST_DATABASE_URL", "").strip():
    raise pytest.UsageError("TEST_DATABASE_URL is not set: run the tests with `make test`")

# MOMO_REGEX_ENGINE=postgres (or perl) runs the tests on that SMS matcher: every
# connection the tests open (libpq reads PGOPTIONS) sets momo.regex_engine.
if os.environ.get("MOMO_REGEX_ENGINE"):
    os.environ["PGOPTIONS"] = (
        f"{os.environ.get('PGOPTIONS', '')} -c momo.regex_engine={os.environ['MOMO_REGEX_ENGINE']}"
    )


def worker_database_url(config: pytest.Config) -> str:
    """This process's database: the only URL, or under pytest-xdist (-n) worker gwN's."""
    urls = os.environ["TEST_DATABASE_URL"].split()
    # Set by pytest-xdist in its workers only (an inherited environment variable is not).
    worker = getattr(config, "workerinput", {}).get("workerid", "gw0")
    index = int(worker.removeprefix("gw"))
    if index >= len(urls):
        raise pytest.UsageError(
            f"pytest worker {worker} has no database: TEST_DATABASE_URL names {len(urls)}; "
            "give one URL per worker (make test does: scripts/test_dbs.sh)"
        )
    return urls[index]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with slow tests first, whole (stable otherwise, so module fixtures are set
    up once): with several workers they then run beside the rest instead of after it."""
    slow_modules = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow_modules)


@pytest.fixture(scope="session")
def db_url(pytestconfig: pytest.Config) -> str:
    return worker_database_url(pytestconfig)


@pytest.fixture
def admin(db_url: str) -> Iterator[psycopg.Connection]:
    """A superuser autocommit connection to a freshly reset database."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        reset_database(conn)
        yield conn


@pytest.fixture
def balance_check_off(admin: psycopg.Connection) -> None:
    """For tests about something else than the balance chain, whose SMS state
    made-up balances: MOMO_BALANCE_CHECK = off (the chain has its own tests)."""
    admin.execute("update app_settings set value = 'off' where key = 'MOMO_BALANCE_CHECK'")


@pytest.fixture
def connect_as(db_url: str) -> Iterator[Callable[[str], psycopg.Connection]]:
    """Open autocommit connections acting as a given role (set role after login)."""
    opened: list[psycopg.Connection] = []

    def _connect(role: str) -> psycopg.Connection:
        conn = psycopg.connect(db_url, autocommit=True)
        conn.execute(psycopg.sql.SQL("set role {}").format(psycopg.sql.Identifier(role)))
        opened.append(conn)
        return conn

    yield _connect
    for conn in opened:
        conn.close()


@pytest.fixture
def built_apps(db_url: str, admin: psycopg.Connection) -> Iterator[list[Flask]]:
    """The apps a test builds (on a freshly reset database); closed afterwards (close_app)."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        close_app(app)


@pytest.fixture
def make_app(db_url: str, built_apps: list[Flask]) -> Callable[..., Flask]:
    """Build the real Flask app against the test database with settings overrides."""

    def _make(**overrides: object) -> Flask:
        settings = Settings(database_url=db_url, pool_size=4, **overrides)  # type: ignore[arg-type]
        app = create_app(settings)
        app.config["TESTING"] = True
        built_apps.append(app)
        return app

    return _make


@pytest.fixture
def app_from_env(db_url: str, built_apps: list[Flask]) -> Callable[..., Flask]:
    """The real app configured the way production is: from environment variables."""

    def _make(**env: str) -> Flask:
        app = create_app(Settings.from_env({"DATABASE_URL": db_url, **env}))
        built_apps.append(app)
        return app

    return _make


@pytest.fixture
def client(make_app):
    """A test client of the real app with no HMAC secret and no IP allow-list."""
    return make_app().test_client()
