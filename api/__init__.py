"""Thin HTTP layer over the database: create_app() is the WSGI app factory."""

from __future__ import annotations

import logging
import os

from flask import Flask, Response, jsonify

from api.config import Settings
from api.db import Database
from api.errors import register_error_handlers
from api.logs import configure_logging, log_event


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    app.extensions["settings"] = settings
    app.extensions["db"] = Database(
        settings.database_url,
        settings.pool_size,
        ingest_timeout_seconds=settings.ingest_timeout_seconds,
    )

    from api import allocator, health, ingest, internal, metrics, monitoring

    app.register_blueprint(health.bp)
    app.register_blueprint(ingest.bp)
    app.register_blueprint(allocator.bp)
    app.register_blueprint(monitoring.bp)
    app.register_blueprint(metrics.bp)
    app.register_blueprint(internal.bp)
    register_error_handlers(app)

    if os.environ.get("BENCH_CEILING_ENDPOINT") == "1":

        @app.post("/bench/ceiling")
        def bench_ceiling() -> Response:
            return jsonify({"ok": True})

    if not settings.hmac_secrets:
        log_event(
            "momo_sms_hook.unsigned",
            logging.WARNING,
            message="MOMO_SMS_HMAC_SECRET is not set: SMS ingest accepts unsigned requests",
        )
    return app
