"""Shape checks on JSON bodies: types, and what PostgreSQL cannot store.

Semantic rules (empty message, length limits, date-time format) live in the
SQL functions, which name the offending field; this module only makes sure
the values can be sent to them.
"""

from __future__ import annotations

import json
import math
from typing import Any

from api.errors import ApiError

MAX_DEPTH = 32


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# json.loads with parse_constant builds a new decoder per call; this one is built once.
_decoder = json.JSONDecoder(parse_constant=_reject_constant)


def parse_object(body: bytes) -> dict[str, Any]:
    """Parse a JSON object body or raise a 400 ApiError."""
    try:
        # What json.loads does with bytes: UTF-8, -16 or -32, detected.
        value = _decoder.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "request body must be a JSON object") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "request body must be a JSON object")
    return value


def storable(value: Any, depth: int = 0) -> bool:
    """True when PostgreSQL can store `value` as text/jsonb (no NUL, valid UTF-8, finite)."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(storable(k, depth + 1) and storable(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v, depth + 1) for v in value)
    return value is None or isinstance(value, bool | int)


def optional_string(payload: dict[str, Any], field: str, required: bool = False) -> str | None:
    """The string at `field` (None when absent/null and not required), else a 400."""
    value = payload.get(field)
    if value is None:
        if required:
            raise ApiError(400, "invalid_field", f"{field} is required", field)
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"{field} must be a string", field)
    if not storable(value):
        raise ApiError(
            400, "invalid_field", f"{field} contains characters that cannot be stored", field
        )
    return value
