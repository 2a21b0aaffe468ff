"""Connection pools, one per database role the HTTP surfaces act as.

The login (DATABASE_URL) may hold more privileges than any one surface needs;
each pool's connections switch once to a least-privilege role (app_ingest,
app_allocator, ...), so a request can only do what its role may.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from api.group_commit import GroupCommitter

ROLES = ("app_ingest", "app_allocator", "app_analyst", "app_credits")


def _set_role(conn: psycopg.Connection, role: str) -> None:
    conn.execute(sql.SQL("set role {}").format(sql.Identifier(role)))


class Database:
    """Lazily opened pools keyed by role; owned by the app (app.extensions['db'])."""

    def __init__(
        self,
        conninfo: str,
        pool_size: int,
        ingest_lock_timeout_ms: int = 1000,
        ingest_timeout_seconds: int = 3,
    ) -> None:
        self._conninfo = conninfo
        self._pool_size = pool_size
        self._ingest_lock_timeout_ms = ingest_lock_timeout_ms
        self._ingest_timeout_seconds = ingest_timeout_seconds
        self._pools: dict[str, ConnectionPool] = {}
        self._ingest_committer: GroupCommitter | None = None
        self._lock = threading.Lock()  # a burst of first requests must open one pool

    def _pool(self, role: str) -> ConnectionPool:
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
                configure=lambda conn: _set_role(conn, role),
                timeout=5.0,
                name=role,
                open=True,
            )
            self._pools[role] = pool
            return pool

    def ingest_committer(self) -> GroupCommitter:
        """The process's group committer for SMS ingest, on its own app_ingest connection."""
        committer = self._ingest_committer
        if committer is not None:
            return committer
        with self._lock:
            if self._ingest_committer is None:
                self._ingest_committer = GroupCommitter(
                    self._ingest_connection, wait_timeout=self._ingest_timeout_seconds
                )
            return self._ingest_committer

    def _ingest_connection(self) -> psycopg.Connection:
        bound = self._ingest_timeout_seconds
        conn = psycopg.connect(
            self._conninfo,
            autocommit=True,
            application_name="api:app_ingest:group-commit",
            connect_timeout=max(2, bound),
            # A dropped network: the kernel gives up on unacknowledged data after
            # tcp_user_timeout, and keepalives find an idle peer gone, so a read
            # does not wait for TCP's own retransmission limit (~15 minutes).
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=2,
            tcp_user_timeout=bound * 1000,
        )
        _set_role(conn, "app_ingest")
        # A batch stuck behind another session's uncommitted copy of one of its SMS
        # would hold up every delivery of this worker: fail it fast instead. A
        # statement the server is slow to finish is cancelled after the same bound
        # the committer waits (GroupCommitter's watchdog covers a silent server).
        timeout = sql.Literal(f"{self._ingest_lock_timeout_ms}ms")
        conn.execute(sql.SQL("set lock_timeout = {}").format(timeout))
        conn.execute(sql.SQL("set statement_timeout = {}").format(sql.Literal(f"{bound * 1000}ms")))
        return conn

    @contextmanager
    def connection(self, role: str) -> Iterator[psycopg.Connection]:
        """An autocommit connection acting as `role`: each statement commits on return."""
        with self._pool(role).connection() as conn:
            yield conn

    def fetch_all(self, role: str, query: sql.Composable | str, params: tuple = ()) -> list[dict]:
        with self.connection(role) as conn, conn.cursor(row_factory=dict_row) as cur:
            cur.execute(query, params)  # type: ignore[arg-type]
            return cur.fetchall()

    def close(self) -> None:
        with self._lock:
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
            if self._ingest_committer is not None:
                self._ingest_committer.close()
                self._ingest_committer = None
