"""What an app holds (app.extensions), each under one key, read through one accessor.

create_app stores the settings and the pools; a blueprint stores its own state when it
is registered (ingest: its group committer; metrics: its registry). Request code calls
settings(), database(), ...; code outside a request passes the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import current_app
from flask.sansio.app import App

if TYPE_CHECKING:
    from api.config import Settings
    from api.db import Database
    from api.group_commit import GroupCommitter
    from api.metrics import Metrics

SETTINGS = "settings"
DATABASE = "db"
INGEST_COMMITTER = "ingest_committer"
METRICS = "metrics"


def _extensions(app: App | None) -> dict[str, object]:
    return (current_app if app is None else app).extensions


def settings(app: App | None = None) -> Settings:
    return cast("Settings", _extensions(app)[SETTINGS])


def database(app: App | None = None) -> Database:
    return cast("Database", _extensions(app)[DATABASE])


def ingest_committer(app: App | None = None) -> GroupCommitter:
    """The app's group committer for SMS ingest (api/ingest.py creates it)."""
    return cast("GroupCommitter", _extensions(app)[INGEST_COMMITTER])


def metrics(app: App | None = None) -> Metrics:
    """The app's Prometheus registry and HTTP series (api/metrics.py creates them)."""
    return cast("Metrics", _extensions(app)[METRICS])
