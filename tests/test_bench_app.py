"""The benchmark's bare POST /bench/ceiling lives in bench/app.py, never in the production app."""

from __future__ import annotations

import bench.app
from api import close_app, context

CEILING = "/bench/ceiling"


def test_the_production_app_has_no_benchmark_route(client):
    assert client.post(CEILING).status_code == 404


def test_the_bench_app_answers_the_ceiling_through_the_app_wide_hooks(db_url, admin, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)  # gunicorn runs bench.app:create_app() from env
    app = bench.app.create_app()
    try:
        response = app.test_client().post(CEILING)
        assert response.status_code == 200
        assert response.get_json() == {"ok": True}
        # Counted like every other request, so the ceiling pays what the SMS hook pays.
        labels = {"endpoint": CEILING, "method": "POST", "status": "200"}
        registry = context.metrics(app).registry
        assert registry.get_sample_value("http_requests_total", labels) == 1
    finally:
        close_app(app)
