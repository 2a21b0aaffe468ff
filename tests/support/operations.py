"""The operations tests' world: SMS in the spec's format, the scenario, crafted cases, refusals.

Data goes in through the real entry points where one exists (momo_sms_ingest,
momo_allocate); what only the allocator's failure paths produce (retries, dead
letters) is inserted directly as superuser.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from tests.support.allocation import Member, add_group, add_member, allocate
from tests.support.database import raises_sqlstate, scalar

SMS = "You have received RWF {amount} from {name} {msisdn} TxnID {txn} on {ts}."
# When the collection phone's modem received the scenario's SMS, unless a test says otherwise.
MODEM_RECEIVED_AT = "2025-01-18T12:21:00Z"

# Tables whose rows a refused correction must leave exactly as they were.
SNAPSHOT_TABLES = {
    "momo_sms_inbox": "id",
    "momo_parsed_txns": "id",
    "momo_unmatched": "id",
    "contributions_ledger": "id",
    "contribution_cycles": "ikimina_id, yyyymm",
    "audit_log": "id",
    "app_settings": "key",
}


ALLOCATOR_SWITCH = (
    "select cron.alter_job(jobid, active := %s) from cron.job where jobname = 'momo-allocator'"
)


def set_allocator_job(admin: psycopg.Connection, active: bool) -> None:
    """Switch the momo-allocator pg_cron job on or off directly, as a superuser."""
    admin.execute(ALLOCATOR_SWITCH, (active,))


@contextmanager
def allocator_job_active(admin: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """The momo-allocator job active, as in production (the test reset pauses every job);
    paused again afterwards: the scheduler never runs between tests."""
    set_allocator_job(admin, True)
    try:
        yield admin
    finally:
        set_allocator_job(admin, False)


def sms_text(
    amount: str, msisdn: str, txn: str, name: str = "Jean Bosco", ts: str = "2025-01-18 14:20:00"
) -> str:
    return SMS.format(amount=amount, name=name, msisdn=msisdn, txn=txn, ts=ts)


def ingest_from_modem(
    admin: psycopg.Connection, text: str, received_at: str = MODEM_RECEIVED_AT
) -> int:
    """An SMS from M-Money as the collection phone's modem (modem-1) forwarded it."""
    row = admin.execute(
        "select inbox_id from momo_sms_ingest(%s, %s, %s, %s, null)",
        (text, "M-Money", received_at, "modem-1"),
    ).fetchone()
    assert row is not None
    return int(row[0])


def ops_snapshot(admin: psycopg.Connection) -> dict[str, Any]:
    """Every row of the tables corrections touch, and the cron jobs' switches."""
    state: dict[str, Any] = {}
    for table, order in SNAPSHOT_TABLES.items():
        state[table] = scalar(
            admin,
            f"select coalesce(jsonb_agg(to_jsonb(t) order by {order}), '[]') from {table} as t",
        )
    state["cron.job"] = scalar(
        admin,
        "select coalesce(jsonb_agg(jsonb_build_array(jobname, active) order by jobid), '[]') "
        "from cron.job",
    )
    return state


def refused_changes_nothing(
    admin: psycopg.Connection,
    conn: psycopg.Connection,
    query: str,
    params: tuple,
    sqlstate: str,
    match: str,
) -> psycopg.Error:
    """Runs a call that must be refused; asserts the SQLSTATE, message and that nothing changed."""
    before = ops_snapshot(admin)
    with raises_sqlstate(sqlstate, match) as info:
        conn.execute(query, params)
    assert ops_snapshot(admin) == before
    return info.value


@dataclass(frozen=True)
class Scenario:
    """One group with a paying member (allocated SMS) and an unknown payer (open case)."""

    member: Member
    other: Member
    allocated_inbox_id: int
    ledger_id: int
    unmatched_inbox_id: int
    case_id: int


def scenario(admin: psycopg.Connection) -> Scenario:
    group = add_group(admin)
    member = add_member(admin, group, "+250788000001", "Jean Bosco", code="M-01")
    other = add_member(admin, group, "+250788000002", "Aline Uwase", code="M-02")
    allocated = ingest_from_modem(admin, sms_text("12,000", "+250788000001", "TXA1"))
    unmatched = ingest_from_modem(
        admin, sms_text("5,000", "+250788000009", "TXU1", name="Eric Habimana")
    )
    summary = allocate(admin)
    assert summary["allocated"] == 1 and summary["unmatched"] == 1, summary
    ledger_id = scalar(
        admin, "select id from contributions_ledger where inbox_id = %s", (allocated,)
    )
    case_id = scalar(admin, "select id from momo_unmatched where inbox_id = %s", (unmatched,))
    return Scenario(member, other, allocated, ledger_id, unmatched, case_id)


def craft_case(
    admin: psycopg.Connection,
    reason: str,
    *,
    amount: str | None = None,
    currency: str | None = "RWF",
    txn_id: str | None = None,
    parsed: bool = True,
    received_at: str = "2025-02-03T10:00:00Z",
) -> tuple[int, int]:
    """An SMS the allocator left as an open case (reason), built directly: (inbox_id, case_id)."""
    inbox_id = ingest_from_modem(admin, f"crafted {reason} {txn_id or uuid.uuid4()}", received_at)
    parsed_id = None
    if parsed:
        parsed_id = scalar(
            admin,
            "insert into momo_parsed_txns (inbox_id, direction, kind, amount, currency, txn_id, "
            "txn_ts, genuine, confidence) values (%s, 'in', 'p2p_received', %s, %s, %s, %s, "
            "true, 0.9) "
            "returning id",
            (inbox_id, amount, currency, txn_id, received_at),
        )
    outcome, last_error = (
        ("dead_letter", "dead_letter: boom") if reason == "dead_letter" else ("unmatched", reason)
    )
    admin.execute(
        "update momo_sms_inbox set processed_at = now(), attempts = 1, outcome = %s, "
        "last_error = %s where id = %s",
        (outcome, last_error, inbox_id),
    )
    case_id = scalar(
        admin,
        "insert into momo_unmatched (inbox_id, parsed_id, reason) values (%s, %s, %s) returning id",
        (inbox_id, parsed_id, reason),
    )
    return inbox_id, case_id
