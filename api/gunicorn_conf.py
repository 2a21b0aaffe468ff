"""gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS).

gevent workers, one per core (`make run` passes WORKERS): a request waiting on
PostgreSQL yields to the others in its worker instead of holding an OS thread,
and psycopg cooperates once gevent has patched the standard library (the
worker does that before it loads the app). Concurrent SMS deliveries in a
worker then share one commit (api/group_commit.py).

The two variables read here (GUNICORN_WORKER_CLASS, GUNICORN_THREADS) configure
gunicorn, not the app: gunicorn reads this file in its master process before any
app exists (and bench/ingest.sh reads worker_class without a DATABASE_URL), so
they stay here rather than in api.config.Settings.
"""

import os

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
worker_connections = 1000  # per worker: open client connections, not threads
reuse_port = True  # each worker listens on its own socket: the kernel spreads connections
threads = int(os.environ.get("GUNICORN_THREADS", "4"))  # only for worker_class gthread
keepalive = 30
timeout = 70  # a drain of the allocator via HTTP may take a while
graceful_timeout = 20
accesslog = None  # the app logs its own structured events
errorlog = "-"
loglevel = "warning"
# gunicorn's own lines (a worker timed out or died, ...) are JSON like the app's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING", "handlers": []},
    "formatters": {"json": {"()": "api.logs.JsonRecordFormatter"}},
    "handlers": {
        "json_stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"level": "WARNING", "handlers": ["json_stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}


def worker_exit(_server: object, worker: object) -> None:
    """Close the worker's database connections; the ingest group committer logs its totals."""
    from flask import Flask

    from api import close_app

    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):  # the worker loaded the app
        close_app(app)
