"""Structured JSON log lines (one object per line on stderr)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_LOGGER_NAME = "baskets"
_logger = logging.getLogger(_LOGGER_NAME)
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode


class JsonLineHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The app's stderr handler: its records are already JSON lines."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(message)s"))

    def write_line(self, line: str) -> None:
        """What emit() does for a record whose message is `line`, minus the LogRecord.

        Like emit(), a failed write is reported by handleError, never raised: the
        request that logs has already been answered by the database.
        """
        try:
            with self.lock:  # type: ignore[union-attr]
                self.stream.write(line + self.terminator)
                self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(logging.makeLogRecord({"name": _LOGGER_NAME, "msg": line}))


class JsonRecordFormatter(logging.Formatter):
    """Another library's record as one JSON line: the driver's, the pool's, gunicorn's."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "event": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return _encode(fields)


# Libraries whose own log lines go out as JSON too: psycopg (the driver) and
# psycopg.pool (e.g. "error connecting in 'app_ingest'" while PostgreSQL is down).
LIBRARY_LOGGERS = ("psycopg", "psycopg.pool")


def configure_logging(level: str = "INFO") -> None:
    if not _logger.handlers:
        _logger.addHandler(JsonLineHandler())
        _logger.propagate = False
    _logger.setLevel(level)
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        if not any(type(h) is JsonLineHandler for h in library.handlers):
            handler = JsonLineHandler()
            handler.setFormatter(JsonRecordFormatter())
            library.addHandler(handler)
            library.propagate = False
        # Their INFO lines (each connection the pool adds) would drown the app's events.
        library.setLevel(max(logging.getLevelName(level), logging.WARNING))


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event, e.g. momo_sms_hook.received. Never pass secrets or SMS bodies."""
    if not _logger.isEnabledFor(level):
        return
    record = {"ts": round(time.time(), 3), "level": logging.getLevelName(level), "event": event}
    record.update(fields)
    line = _encode(record)
    handlers = _logger.handlers
    if _logger.filters or _logger.propagate or not handlers:
        _logger.handle(_logger.makeRecord(_LOGGER_NAME, level, "", 0, line, None, None))
        return
    # What Logger.handle would do for this non-propagating logger, except that the
    # app's own handler gets `line` directly: a LogRecord and formatting would only
    # reproduce it, once per SMS on the ingest path. Other handlers (a test's
    # capture) get the record as usual.
    log_record: logging.LogRecord | None = None
    for handler in handlers:
        if level < handler.level:
            continue
        if type(handler) is JsonLineHandler and not handler.filters:
            handler.write_line(line)
            continue
        if log_record is None:
            log_record = _logger.makeRecord(_LOGGER_NAME, level, "", 0, line, None, None)
        handler.handle(log_record)
