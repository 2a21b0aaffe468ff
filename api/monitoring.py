"""GET /monitoring and GET /monitoring/<view>: the monitoring views as JSON (analysts).

The views live in the database (schema monitoring, db/views/<module>/monitoring_*.sql);
this module only lists them and returns their rows. A view name from the path
is looked up in the catalog first and then quoted with sql.Identifier, so the
path never becomes SQL. Everything runs as app_analyst, which may only read
the monitoring schema.

JSON conventions: times are ISO-8601 strings, numeric values (money) are
strings so no digit is lost, counts and ages (integers) are numbers.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import uuid
from typing import Any

from flask import Blueprint, Response, jsonify, request
from psycopg import sql

from api import context
from api.db import Role
from api.errors import ApiError
from api.logs import log_event
from api.payload import storable
from api.security import bearer_token_valid

bp = Blueprint("monitoring", __name__)

ROLE = Role.ANALYST
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

# Relations in schema monitoring the caller's role may read, with their comments.
LIST_SQL = """
select
    c.relname as name,
    case c.relkind when 'r' then 'table' when 'p' then 'table' else 'view' end as kind,
    coalesce(obj_description(c.oid, 'pg_class'), '') as description,
    (
        select json_agg(
            json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod))
            order by a.attnum
        )
        from pg_attribute as a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    ) as columns
from pg_class as c
where c.relnamespace = 'monitoring'::regnamespace
    and c.relkind in ('v', 'm', 'r', 'p')
    and has_table_privilege(c.oid, 'select')
order by c.relname
"""

FIND_SQL = """
select c.relname
from pg_class as c
where c.relnamespace = 'monitoring'::regnamespace
    and c.relkind in ('v', 'm', 'r', 'p')
    and c.relname = %s
    and has_table_privilege(c.oid, 'select')
"""


def json_value(value: Any) -> Any:
    """A database value as JSON: times ISO-8601, numerics (money) as strings, ids as strings."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def _int_arg(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_field", f"{name} must be a whole number", name) from None
    if not minimum <= value <= maximum:
        raise ApiError(
            400, "invalid_field", f"{name} must be between {minimum} and {maximum}", name
        )
    return value


@bp.before_request
def _authenticate() -> None:
    settings = context.settings()
    if not settings.monitoring_token:
        log_event("monitoring.rejected", logging.WARNING, reason="token_not_configured")
        raise ApiError(
            401, "unauthorized", "monitoring is disabled: MOMO_MONITORING_TOKEN is not set"
        )
    if not bearer_token_valid(request, settings.monitoring_token):
        log_event("monitoring.rejected", logging.WARNING, reason="token", path=request.path)
        raise ApiError(401, "unauthorized", "missing or invalid bearer token")


@bp.get("/monitoring")
def list_views() -> Response:
    rows = context.database().fetch_all(ROLE, LIST_SQL)
    return jsonify({"ok": True, "views": [json_value(row) for row in rows]})


@bp.get("/monitoring/<name>")
def read_view(name: str) -> Response:
    if not storable(name):
        # A NUL (overview%00) or lone surrogate cannot even be compared with the
        # catalog's names: refused here, as the other endpoints refuse such text.
        raise ApiError(400, "invalid_field", "a view name is text without NUL characters", "name")
    limit = _int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int_arg("offset", 0, 0, 10_000_000)
    with context.database().connection(ROLE) as conn:
        found = conn.execute(FIND_SQL, (name,)).fetchone()
        if found is None:
            raise ApiError(404, "not_found", f"no monitoring view named {name!r}")
        query = sql.SQL("select * from {}.{} limit %s offset %s").format(
            sql.Identifier("monitoring"), sql.Identifier(found[0])
        )
        cur = conn.execute(query, (limit + 1, offset))
        columns = [c.name for c in cur.description or []]
        records = cur.fetchall()
    rows = [
        {column: json_value(value) for column, value in zip(columns, record, strict=True)}
        for record in records[:limit]
    ]
    return jsonify(
        {
            "ok": True,
            "view": found[0],
            "limit": limit,
            "offset": offset,
            "hasMore": len(records) > limit,
            "rows": rows,
        }
    )
