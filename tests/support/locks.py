"""Waiting for a session to block on a lock, from the lock manager, never by sleeping.

A lock test starts a second session in a thread and must know that it has reached
the lock before it lets the first session go on. These helpers poll `pg_locks`
(through `pg_blocking_pids`, which reads the lock manager live, not the per-transaction
statistics snapshot) from their own autocommit connection until the session waits,
and fail with the test's own words after a deadline. Use them instead of
`time.sleep` or `thread.join(timeout=...)`:

- `wait_until_blocked(conn, pid)`: backend `pid` waits on a lock.
- `wait_until_blocking(holder)`: some session waits on a lock `holder` holds;
  returns that session's pid.
- `waits_for_commit(holder, other, why)`: runs `other` in a thread, waits until it
  blocks on `holder`, commits `holder` and joins the thread (the usual shape of a
  lock test; `tests.support.database` re-exports it, where it used to live).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

DEADLINE_SECONDS = 15.0
POLL_SECONDS = 0.01

# Sessions whose lock request is not granted and which `holder_pid` blocks.
BLOCKED_BY = """
select distinct l.pid
from pg_locks as l
where not l.granted and %s = any(pg_blocking_pids(l.pid))
order by 1
"""

WAITS_ON_A_LOCK = "select exists (select from pg_locks where pid = %s and not granted)"


@contextmanager
def observer(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """A fresh autocommit session on `conn`'s database, so the one being watched (or
    holding the lock) runs nothing it did not ask for."""
    with psycopg.connect(**conn.info.get_parameters(), autocommit=True) as watcher:
        yield watcher


def wait_until_blocked(
    conn: psycopg.Connection,
    pid: int,
    why: str = "the session should wait on a lock",
    alive: Callable[[], bool] = lambda: True,
    timeout: float = DEADLINE_SECONDS,
) -> None:
    """Return once backend `pid` waits for a lock (`conn`: any session on its database).
    `alive` says whether whatever runs in that session is still running: if it stops
    before blocking, or `timeout` passes, fail with `why`."""
    with observer(conn) as watcher:
        deadline = time.monotonic() + timeout
        while not watcher.execute(WAITS_ON_A_LOCK, (pid,)).fetchone()[0]:  # type: ignore[index]
            assert alive(), f"{why}: it finished without waiting on a lock"
            assert time.monotonic() < deadline, f"{why}: not waiting on a lock after {timeout} s"
            time.sleep(POLL_SECONDS)


def wait_until_blocking(
    holder: psycopg.Connection,
    why: str = "a session should wait on a lock the holder holds",
    alive: Callable[[], bool] = lambda: True,
    timeout: float = DEADLINE_SECONDS,
) -> int:
    """Return the pid of a session that waits on a lock `holder` holds, as soon as one
    does. `alive` as in `wait_until_blocked`."""
    holder_pid = holder.info.backend_pid
    with observer(holder) as watcher:
        deadline = time.monotonic() + timeout
        while True:
            blocked = [row[0] for row in watcher.execute(BLOCKED_BY, (holder_pid,))]
            if blocked:
                return blocked[0]
            assert alive(), f"{why}: it finished without waiting on the holder"
            assert time.monotonic() < deadline, (
                f"{why}: nothing waits on the holder after {timeout} s"
            )
            time.sleep(POLL_SECONDS)


def waits_for_commit(
    holder: psycopg.Connection, other: Callable[[], None], why: str, timeout: float = 60.0
) -> None:
    """Run `other` in a thread, show that it waits on a lock `holder` holds (`why`: on
    what), then commit `holder` and let `other` finish (within `timeout`)."""
    thread = threading.Thread(target=other)
    thread.start()
    try:
        wait_until_blocking(holder, why, alive=thread.is_alive)
    finally:
        holder.commit()
        thread.join(timeout=timeout)
    assert not thread.is_alive(), f"{why}: still running {timeout} s after the commit"
