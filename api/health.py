"""GET /healthz (process alive) and GET /readyz (database ready to serve)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, jsonify

from api import context
from api.db import Role
from api.logs import log_event

bp = Blueprint("health", __name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "db" / "migrations"


def expected_migration_version() -> int:
    """The highest migration version shipped with this code."""
    versions = [
        int(m.group(1))
        for f in MIGRATIONS_DIR.glob("V*__*.sql")
        if (m := re.match(r"V(\d+)__", f.name))
    ]
    return max(versions, default=0)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"ok": True})


@bp.get("/readyz")
def readyz() -> Response:
    db = context.database()
    expected = expected_migration_version()
    try:
        with db.connection(Role.INGEST) as conn:
            row = conn.execute("select app_readiness()").fetchone()
        facts = row[0] if row else {}
    except Exception as exc:  # any failure to reach the database means not ready
        log_event("readyz.database_unreachable", error=type(exc).__name__)
        facts = {}
    checks = {
        "database": bool(facts),
        "migrations": facts.get("migration_version") == expected,
        "pg_cron": bool(facts.get("pg_cron_installed") and facts.get("pg_cron_running")),
    }
    ready = all(checks.values())
    body: dict = {"ok": ready, "checks": checks, "expectedMigration": expected}
    if not ready:
        failing = ", ".join(name for name, passed in checks.items() if not passed)
        body["error"] = {"code": "not_ready", "message": f"not ready: {failing}"}
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    return response
