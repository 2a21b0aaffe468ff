"""The app bench/ingest.sh serves: the production app plus a bare POST /bench/ceiling.

The ceiling answers {"ok":true} without touching the database, through the same
server, workers and app-wide hooks (metrics) as the SMS hook, so the hook's rate
can be read as a fraction of what the server could answer at all. Production
never serves it: `make run` serves api:create_app().

gunicorn ... 'bench.app:create_app()' (from the repository root)
"""

from __future__ import annotations

from flask import Flask, Response, jsonify

import api


def create_app() -> Flask:
    app = api.create_app()

    @app.post("/bench/ceiling")
    def bench_ceiling() -> Response:
        return jsonify({"ok": True})

    return app
