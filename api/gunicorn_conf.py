"""gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS)."""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30
timeout = 70  # a drain of the allocator via HTTP may take a while
graceful_timeout = 20
accesslog = None  # the app logs its own structured events
errorlog = "-"
loglevel = "warning"
