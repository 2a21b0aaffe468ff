"""What a refusal must leave unchanged, and who might try.

`APP_ROLES` are the application's roles (db/migrations/V0001__roles.sql);
`everything_written` is every row a correction, credit or audit could write, to
compare before and after a call that must be refused.
"""

from __future__ import annotations

from typing import Any

import psycopg

from tests.support.credits import credit_snapshot
from tests.support.operations import ops_snapshot

APP_ROLES = ("app_ingest", "app_allocator", "app_analyst", "app_dba", "app_credits", "app_web")


def everything_written(admin: psycopg.Connection) -> tuple[Any, ...]:
    """The corrections' tables, the credit tables, settings and the audit log, as they are."""
    return (ops_snapshot(admin), credit_snapshot(admin))
