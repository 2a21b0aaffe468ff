"""GET /healthz (the process answers) and GET /readyz (the database is ready to serve)."""

from __future__ import annotations

import socket

import pytest

import api.health
from api import close_app, create_app
from api.config import Settings


def test_healthz_answers_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"ok": True}


def test_readyz_is_200_when_database_migrations_and_pg_cron_are_ready(client, admin):
    applied = admin.execute("select max(version) from schema_version").fetchone()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.get_json() == {
        "ok": True,
        "checks": {"database": True, "migrations": True, "pg_cron": True},
        "expectedMigration": applied[0],
    }


def test_expected_migration_is_the_newest_migration_file():
    versions = [int(f.name[1:].split("__")[0]) for f in api.health.MIGRATIONS_DIR.glob("V*__*.sql")]

    assert api.health.expected_migration_version() == max(versions)


def assert_not_ready(response, failing: dict[str, bool]) -> None:
    assert response.status_code == 503
    body = response.get_json()
    assert body["ok"] is False
    assert body["checks"] == failing
    assert body["error"]["code"] == "not_ready"
    names = [name for name, passed in failing.items() if not passed]
    assert body["error"]["message"] == "not ready: " + ", ".join(names)


def test_readyz_is_503_when_the_applied_migration_differs_from_the_code(client, monkeypatch):
    """Code deployed ahead of (or behind) the database schema must not take traffic."""
    monkeypatch.setattr(api.health, "expected_migration_version", lambda: 99_999)

    response = client.get("/readyz")

    assert_not_ready(response, {"database": True, "migrations": False, "pg_cron": True})
    assert response.get_json()["expectedMigration"] == 99_999


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_readyz_is_503_when_the_database_is_unreachable():
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/baskets"
    app = create_app(Settings(database_url=url, pool_size=1))
    try:
        response = app.test_client().get("/readyz")
        healthz = app.test_client().get("/healthz")
    finally:
        close_app(app)

    assert_not_ready(response, {"database": False, "migrations": False, "pg_cron": False})
    assert healthz.status_code == 200  # alive, just not ready


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_endpoints_refuse_other_methods(client, path):
    response = client.post(path)

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
