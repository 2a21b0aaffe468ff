"""Structured JSON log lines (one object per line on stderr)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

_LOGGER_NAME = "baskets"


def configure_logging(level: str = "INFO") -> None:
    logger = logging.getLogger(_LOGGER_NAME)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)


def log_event(event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one event, e.g. momo_sms_hook.received. Never pass secrets or SMS bodies."""
    logger = logging.getLogger(_LOGGER_NAME)
    if not logger.isEnabledFor(level):
        return
    record = {"ts": round(time.time(), 3), "level": logging.getLevelName(level), "event": event}
    record.update(fields)
    logger.log(level, json.dumps(record, default=str, separators=(",", ":")))
