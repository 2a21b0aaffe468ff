"""Group commit for SMS ingest: concurrent deliveries share one transaction.

Each gunicorn worker answers several requests at once (greenlets under the
gevent worker, threads otherwise). Committing each SMS on its own costs a round
trip, a plan and a WAL flush per delivery; here the requests that arrive while
a commit is in flight wait, and the next commit stores up to ``max_batch`` of
them with one ``momo_sms_ingest_batch`` call on the worker's own connection.

- No extra thread: the first request to find no commit in flight leads. It
  takes the waiting deliveries (its own first), stores them, answers each, and
  hands the lead to the oldest request that queued meanwhile.
- A request's answer is given only after the transaction holding its row has
  committed, so an HTTP 200 still means the row is stored.
- One invalid delivery must not fail the others: when the batch call raises
  and the connection is still usable (the call rolled back as a whole), each
  delivery of the batch is stored again alone and gets its own answer or error.
- When the connection fails, every delivery of the batch gets the error (the
  client sees 503 and retries; the dedupe hash makes the retry safe, whether
  or not the lost commit happened). The next batch opens a new connection.
- One worker's deliveries now wait on each other, so nothing may wait long:
  the connection's lock_timeout (api/ingest.py: 1 s) fails a delivery stuck behind
  an uncommitted copy of the same SMS (503, the gateway retries) instead of
  stalling the worker's ingest.
- A connection that stops answering (a network drop, a stalled server) must not
  hold the worker's deliveries either. With ``wait_timeout`` set, one watchdog
  per committer (a thread; a greenlet under gevent) looks every quarter second
  (at most): a delivery that has waited that long gives up (503; it leaves the
  queue, or its batch's answer is dropped), and a batch that has run that long
  has its socket shut: the leader's wait then fails at once, its deliveries get
  503, and the next batch opens a new connection. A batch cut off after its
  commit was sent may still commit: its deliveries were not acknowledged, and
  the dedupe makes the gateway's retry a duplicate, so nothing acknowledged is
  lost. The watchdog, not a timed wait per delivery, keeps the bound: a timed
  wait costs a timer per SMS; the queue's start times cost a clock read.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import psycopg
from psycopg.types.composite import CompositeInfo, register_composite
from psycopg.types.json import Jsonb

from api.logs import log_event

# One array of the composite momo_sms_delivery, one element per Delivery (its
# fields in the type's order), sent binary (%b): psycopg's text format would
# escape every element.
BATCH_SQL = "select ord, inbox_id, duplicate from momo_sms_ingest_batch(%b)"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One SMS as the gateway sent it, already validated by the HTTP layer.

    The last three come from the gateway routes (api/gateways.py): the phone that
    received the SMS, the route, and the gateway's own message id (a second
    dedupe key).
    """

    message: str
    msisdn: str | None
    received_at: str | None
    ingest_source: str | None
    metadata: Jsonb | None
    receiving_account: str | None = None
    gateway: str | None = None
    gateway_message_id: str | None = None


def register_delivery(conn: psycopg.Connection) -> None:
    """Let `conn` send a Delivery (and a list of them) as the SQL type momo_sms_delivery."""
    info = CompositeInfo.fetch(conn, "public.momo_sms_delivery")
    if info is None:
        raise psycopg.ProgrammingError("type momo_sms_delivery not found: migrate the database")
    register_composite(info, conn, Delivery, make_sequence=_delivery_fields)


def _delivery_fields(delivery: Delivery, info: CompositeInfo) -> tuple[object, ...]:
    return (
        delivery.message,
        delivery.msisdn,
        delivery.received_at,
        delivery.ingest_source,
        delivery.metadata,
        delivery.receiving_account,
        delivery.gateway,
        delivery.gateway_message_id,
    )


@dataclass(frozen=True, slots=True)
class Stored:
    inbox_id: int
    duplicate: bool


class _Slot:
    """A delivery waiting for its commit; its thread sleeps on `ready`."""

    __slots__ = ("delivery", "error", "lead", "queued", "ready", "result")

    def __init__(self, delivery: Delivery) -> None:
        self.delivery = delivery
        self.ready = threading.Event()
        self.result: Stored | None = None
        self.error: BaseException | None = None
        self.lead = False  # woken to lead the next batch rather than with an answer
        self.queued = time.monotonic()  # the watchdog gives up on it wait_timeout after


@dataclass
class GroupCommitStats:
    batches: int = 0
    deliveries: int = 0
    largest_batch: int = 0
    fallbacks: int = 0  # batches stored again one delivery at a time after an error


class CommitTimeout(psycopg.OperationalError):
    """The delivery's commit did not come within the wait timeout (answered as 503)."""


class GroupCommitter:
    """Stores deliveries through one connection, several per transaction."""

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection],
        max_batch: int = 64,
        wait_timeout: float | None = None,
    ) -> None:
        self._connect = connect
        self._max_batch = max_batch
        self._wait_timeout = wait_timeout
        self._batch_started: float | None = None  # monotonic start of the batch in flight
        self._in_flight: Sequence[_Slot] = ()  # the batch being stored (its leader first)
        self._watchdog: threading.Thread | None = None
        self._closed = False
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []
        self._leading = False  # invariant: False only when the queue is empty
        self._conn: psycopg.Connection | None = None  # used by the leader only
        # One cursor for the connection's life: a new one per batch would also start
        # with cold caches for the array dumpers.
        self._cursor: psycopg.Cursor | None = None
        self.stats = GroupCommitStats()

    def store(self, delivery: Delivery) -> Stored:
        """Store one delivery; returns once it is committed, or raises its error."""
        slot = _Slot(delivery)
        with self._lock:
            self._queue.append(slot)
            lead = not self._leading
            self._leading = True
        if not lead:
            slot.ready.wait()  # bounded by the watchdog when wait_timeout is set
            lead = slot.lead
        if lead:
            self._lead()
        if slot.error is not None:
            raise slot.error
        if slot.result is None:
            raise RuntimeError("group commit: the batch gave this delivery no answer")
        return slot.result

    def _give_up(self, slots: Sequence[_Slot]) -> None:
        """Answer deliveries that waited too long with CommitTimeout (503). Under the lock."""
        error = CommitTimeout(f"no commit within {self._wait_timeout} s")
        for slot in slots:
            slot.error = error
            slot.ready.set()
        log_event(
            "momo_sms_hook.commit_timeout",
            logging.WARNING,
            waited=self._wait_timeout,
            deliveries=len(slots),
        )

    def waiting(self) -> int:
        """Deliveries queued for the next commit (the batch in flight not counted)."""
        with self._lock:
            return len(self._queue)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self._cursor = None
        if self.stats.batches:
            log_event("momo_sms_hook.group_commit", **asdict(self.stats))

    def _lead(self) -> None:
        """Store one batch (starting with the caller's own slot), then pass the lead on."""
        # Let the requests that are ready to run reach the queue first: under gevent,
        # time.sleep(0) runs every runnable greenlet until it waits (most in store()).
        time.sleep(0)
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            self._batch_started = time.monotonic()
            self._in_flight = batch
        self._start_watchdog()
        try:
            self._store_batch(batch)
        except BaseException as exc:  # never leave a waiting thread without an answer
            for slot in batch:
                if slot.result is None and slot.error is None:
                    slot.error = exc
            if not isinstance(exc, Exception):
                raise
        finally:
            with self._lock:
                self._batch_started = None
                self._in_flight = ()
                if self._queue:
                    successor = self._queue[0]
                    successor.lead = True
                    successor.ready.set()
                else:
                    self._leading = False
            for slot in batch[1:]:
                slot.ready.set()

    def _start_watchdog(self) -> None:
        if self._wait_timeout is None or self._watchdog is not None:
            return
        # Under gevent, threading is patched: this is a greenlet sleeping most of the time.
        self._watchdog = threading.Thread(
            target=self._watch, name="group-commit-watchdog", daemon=True
        )
        self._watchdog.start()

    def _watch(self) -> None:
        """Every interval: answer deliveries that waited longer than the wait timeout (503),
        and cut off a batch that has waited on its connection that long."""
        assert self._wait_timeout is not None
        interval = min(0.25, self._wait_timeout / 4)
        while not self._closed:
            time.sleep(interval)
            with self._lock:
                self._expire(time.monotonic() - self._wait_timeout)

    def _expire(self, cutoff: float) -> None:
        """Give up on the deliveries queued before `cutoff` (monotonic). Under the lock."""
        # Queued: leave the queue, except one just handed the lead (its batch is bounded
        # by the cut below).
        overdue = [s for s in self._queue if s.queued <= cutoff and not s.lead]
        if overdue:
            self._queue = [s for s in self._queue if s.lead or s.queued > cutoff]
            self._give_up(overdue)
        # In flight: the leader (first) waits on the connection; the others give up
        # unless their answer has just come.
        waiting = [
            s
            for s in self._in_flight[1:]
            if s.queued <= cutoff and s.result is None and s.error is None
        ]
        if waiting:
            self._give_up(waiting)
        started, conn = self._batch_started, self._conn
        if started is not None and conn is not None and started <= cutoff:
            _shut_socket(conn)
            log_event("momo_sms_hook.connection_cut", logging.ERROR, waited=self._wait_timeout)
            self._batch_started = None  # once per batch

    def _cursor_for_batch(self) -> psycopg.Cursor:
        if self._conn is not None and _ended_while_idle(self._conn):
            self._conn.close()  # e.g. PostgreSQL restarted: its goodbye is waiting to be read
            self._conn = None
            log_event("momo_sms_hook.reconnect", reason="connection ended while idle")
        if self._conn is None or self._conn.closed or self._cursor is None:
            self._conn = self._connect()
            register_delivery(self._conn)
            self._cursor = self._conn.cursor()
        return self._cursor

    def _store_batch(self, batch: Sequence[_Slot]) -> None:
        self.stats.batches += 1
        self.stats.deliveries += len(batch)
        self.stats.largest_batch = max(self.stats.largest_batch, len(batch))
        try:
            self._execute(self._cursor_for_batch(), batch)
        except psycopg.Error as exc:
            if len(batch) == 1 or not self._usable():
                self._fail(batch, exc)
                return
            # The call rolled back whole: store each delivery alone for its own answer.
            self.stats.fallbacks += 1
            for slot in batch:
                try:
                    self._execute(self._cursor_for_batch(), [slot])
                except psycopg.Error as single_exc:
                    self._fail([slot], single_exc)

    @staticmethod
    def _execute(cursor: psycopg.Cursor, batch: Sequence[_Slot]) -> None:
        rows = cursor.execute(BATCH_SQL, ([slot.delivery for slot in batch],)).fetchall()
        for ord_, inbox_id, duplicate in rows:
            batch[ord_ - 1].result = Stored(inbox_id, duplicate)
        if len(rows) != len(batch):  # cannot happen short of a broken function; never hang
            raise RuntimeError(f"momo_sms_ingest_batch answered {len(rows)} of {len(batch)}")

    def _usable(self) -> bool:
        """Whether the connection survived the last error (a statement error, not a lost link)."""
        return self._conn is not None and not self._conn.closed and not self._conn.broken

    def _fail(self, slots: Sequence[_Slot], exc: psycopg.Error) -> None:
        if self._conn is not None and not self._usable():
            self._conn.close()  # the next batch reconnects
            self._conn = None
            self._cursor = None
        for slot in slots:
            slot.error = exc


def _ended_while_idle(conn: psycopg.Connection) -> bool:
    """True when an idle connection has something to read: the server has ended it.

    Between batches the server sends nothing unless it terminates the session (a
    restart or shutdown sends its FATAL notice and closes the socket). A poll with
    no timeout finds that without a round trip, so the first delivery after a
    restart is stored on a new connection instead of failing on the old one.
    """
    if conn.closed or conn.broken:
        return True
    try:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return True
    return bool(readable)


def _shut_socket(conn: psycopg.Connection) -> None:
    """Shut the connection's socket down, so a read waiting on it returns at once (EOF).

    Closing the descriptor under a waiting reader is unsafe; shutting the socket
    down (through a duplicate descriptor) wakes the reader, and libpq then reports
    the connection lost, which the leader handles like any lost connection.
    """
    try:
        fd = conn.pgconn.socket
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, psycopg.Error):
        pass  # already closed: nothing waits on it
