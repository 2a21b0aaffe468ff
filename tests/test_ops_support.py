"""Builders for the operations tests: groups, members, SMS and a snapshot of every table.

Data goes in through the real entry points where one exists (momo_sms_ingest,
momo_allocate); what only the allocator's failure paths produce (retries, dead
letters) is inserted directly as superuser.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

SMS = "You have received RWF {amount} from {name} {msisdn} TxnID {txn} on {ts}."

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


@dataclass(frozen=True)
class Member:
    ikimina_id: uuid.UUID
    member_id: uuid.UUID
    user_id: uuid.UUID
    phone: str | None


def sms_text(
    amount: str, msisdn: str, txn: str, name: str = "Jean Bosco", ts: str = "2025-01-18 14:20:00"
) -> str:
    return SMS.format(amount=amount, name=name, msisdn=msisdn, txn=txn, ts=ts)


def add_group(
    admin: psycopg.Connection, name: str = "Twizigame", currency: str = "RWF"
) -> uuid.UUID:
    row = admin.execute(
        "insert into ibimina (name, currency) values (%s, %s) returning id", (name, currency)
    ).fetchone()
    assert row is not None
    return row[0]


def add_member(
    admin: psycopg.Connection,
    ikimina_id: uuid.UUID,
    phone: str | None,
    name: str = "Jean Bosco",
    status: str = "active",
    code: str | None = None,
) -> Member:
    row = admin.execute(
        "insert into profiles (whatsapp_e164, display_name) values (%s, %s) returning user_id",
        (phone, name),
    ).fetchone()
    assert row is not None
    user_id = row[0]
    row = admin.execute(
        "insert into ibimina_members (ikimina_id, user_id, status, member_code) "
        "values (%s, %s, %s, %s) returning id",
        (ikimina_id, user_id, status, code),
    ).fetchone()
    assert row is not None
    return Member(ikimina_id, row[0], user_id, phone)


def ingest(admin: psycopg.Connection, text: str, received_at: str = "2025-01-18T12:21:00Z") -> int:
    row = admin.execute(
        "select inbox_id from momo_sms_ingest(%s, %s, %s, %s, null)",
        (text, "M-Money", received_at, "modem-1"),
    ).fetchone()
    assert row is not None
    return int(row[0])


def allocate(admin: psycopg.Connection) -> dict[str, Any]:
    row = admin.execute("select momo_allocate(1000)").fetchone()
    assert row is not None
    return row[0]


def one(conn: psycopg.Connection, query: str, params: tuple = ()) -> Any:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def row_dict(conn: psycopg.Connection, query: str, params: tuple = ()) -> dict[str, Any]:
    cur = conn.execute(query, params)
    row = cur.fetchone()
    assert row is not None, query
    return {c.name: v for c, v in zip(cur.description or [], row, strict=True)}


def rows(conn: psycopg.Connection, query: str, params: tuple = ()) -> list[dict[str, Any]]:
    cur = conn.execute(query, params)
    names = [c.name for c in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def snapshot(admin: psycopg.Connection) -> dict[str, Any]:
    """Every row of the tables corrections touch, and the cron jobs' switches."""
    state: dict[str, Any] = {}
    for table, order in SNAPSHOT_TABLES.items():
        state[table] = one(
            admin,
            f"select coalesce(jsonb_agg(to_jsonb(t) order by {order}), '[]') from {table} as t",
        )
    state["cron.job"] = one(
        admin,
        "select coalesce(jsonb_agg(jsonb_build_array(jobname, active) order by jobid), '[]') "
        "from cron.job",
    )
    return state


def refused(
    admin: psycopg.Connection,
    conn: psycopg.Connection,
    query: str,
    params: tuple,
    sqlstate: str,
    match: str,
) -> psycopg.Error:
    """Runs a call that must be refused; asserts the SQLSTATE, message and that nothing changed."""
    before = snapshot(admin)
    with pytest.raises(psycopg.Error, match=match) as info:
        conn.execute(query, params)
    assert info.value.sqlstate == sqlstate, info.value
    assert snapshot(admin) == before
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
    allocated = ingest(admin, sms_text("12,000", "+250788000001", "TXA1"))
    unmatched = ingest(admin, sms_text("5,000", "+250788000009", "TXU1", name="Eric Habimana"))
    summary = allocate(admin)
    assert summary["allocated"] == 1 and summary["unmatched"] == 1, summary
    ledger_id = one(admin, "select id from contributions_ledger where inbox_id = %s", (allocated,))
    case_id = one(admin, "select id from momo_unmatched where inbox_id = %s", (unmatched,))
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
    inbox_id = ingest(admin, f"crafted {reason} {txn_id or uuid.uuid4()}", received_at)
    parsed_id = None
    if parsed:
        parsed_id = one(
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
    case_id = one(
        admin,
        "insert into momo_unmatched (inbox_id, parsed_id, reason) values (%s, %s, %s) returning id",
        (inbox_id, parsed_id, reason),
    )
    return inbox_id, case_id
