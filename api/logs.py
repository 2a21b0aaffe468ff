"""Structured JSON log lines (one object per line on stderr)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_LOGGER_NAME = "baskets"
_logger = logging.getLogger(_LOGGER_NAME)


def configure_logging(level: str = "INFO") -> None:
    if not _logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        _logger.addHandler(handler)
        _logger.propagate = False
    _logger.setLevel(level)


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event, e.g. momo_sms_hook.received. Never pass secrets or SMS bodies."""
    if not _logger.isEnabledFor(level):
        return
    record = {"ts": round(time.time(), 3), "level": logging.getLevelName(level), "event": event}
    record.update(fields)
    line = json.dumps(record, default=str, separators=(",", ":"))
    # The line carries its own context: skip Logger.log's caller lookup (a stack
    # walk per call, once per SMS on the ingest path).
    _logger.handle(_logger.makeRecord(_LOGGER_NAME, level, "", 0, line, None, None))
