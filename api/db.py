"""Connection pools, one per database role the HTTP surfaces act as.

The login (DATABASE_URL) may hold more privileges than any one surface needs;
each pool's connections switch once to a least-privilege role (Role below), so
a request can only do what its role may.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool


class Role(StrEnum):
    """The roles the app acts as (db/migrations/V0001__roles.sql grants each to app_web)."""

    INGEST = "app_ingest"  # stores SMS through momo_sms_ingest*() (and answers /readyz)
    ALLOCATOR = "app_allocator"  # runs momo_allocate()
    ANALYST = "app_analyst"  # reads the monitoring views
    CREDITS = "app_credits"  # the credit reservation functions


ROLES = frozenset(Role)  # a member equals its value: "app_ingest" in ROLES is True


def set_role(conn: psycopg.Connection, role: Role) -> None:
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))


class Database:
    """Lazily opened pools keyed by role; owned by the app (api/context.py: database())."""

    def __init__(self, conninfo: str, pool_size: int) -> None:
        self._conninfo = conninfo
        self._pool_size = pool_size
        self._pools: dict[str, ConnectionPool] = {}
        self._lock = threading.Lock()  # a burst of first requests must open one pool

    def _pool(self, role: Role) -> ConnectionPool:
        pool = self._pools.get(role)
        if pool is not None:
            return pool
        with self._lock:
            pool = self._pools.get(role)
            if pool is not None:
                return pool
            if role not in ROLES:
                raise ValueError(f"unknown role {role}")

            pool = ConnectionPool(
                self._conninfo,
                min_size=1,
                max_size=self._pool_size,
                kwargs={"autocommit": True, "application_name": f"api:{role}"},
                configure=lambda conn: set_role(conn, role),
                # A connection is checked (one round trip) before it is handed out, so the
                # first request after PostgreSQL restarts gets a new one, not a dead one.
                check=ConnectionPool.check_connection,
                timeout=5.0,
                name=str(role),
                open=True,
            )
            self._pools[role] = pool
            return pool

    @contextmanager
    def connection(self, role: Role) -> Iterator[psycopg.Connection]:
        """An autocommit connection acting as `role`: each statement commits on return."""
        with self._pool(role).connection() as conn:
            yield conn

    def fetch_all(self, role: Role, query: sql.Composable | str, params: tuple = ()) -> list[dict]:
        with self.connection(role) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)  # type: ignore[arg-type]
            return cur.fetchall()

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
