"""Thin HTTP layer over the database: create_app() is the WSGI app factory."""

from __future__ import annotations

import logging

from flask import Flask

from api import context
from api.config import Settings
from api.db import Database
from api.errors import register_error_handlers
from api.logs import configure_logging, log_event


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    app.extensions[context.SETTINGS] = settings
    app.extensions[context.DATABASE] = Database(settings.database_url, settings.pool_size)

    from api import allocator, health, ingest, internal, metrics, monitoring

    # A blueprint that holds state creates it when registered (api/context.py).
    app.register_blueprint(health.bp)
    app.register_blueprint(ingest.bp)  # its group committer
    app.register_blueprint(allocator.bp)
    app.register_blueprint(monitoring.bp)
    app.register_blueprint(metrics.bp)  # its registry
    app.register_blueprint(internal.bp)
    register_error_handlers(app)

    # Every request of the app, whatever its blueprint, is counted and timed.
    app.before_request(metrics.start_timer)
    app.after_request(metrics.observe)

    if not settings.hmac_secrets:
        log_event(
            "momo_sms_hook.unsigned",
            logging.WARNING,
            message="MOMO_SMS_HMAC_SECRET is not set: SMS ingest accepts unsigned requests",
        )
    return app


def close_app(app: Flask) -> None:
    """Release what the app holds: the ingest committer (it logs its totals), then the pools."""
    context.ingest_committer(app).close()
    context.database(app).close()
