"""Small builders for allocation tests (real rows through the real functions)."""

from __future__ import annotations

import uuid

import psycopg


def p2p(amount: int, number: str, txn: str, ts: str = "2024-10-20 11:02:13", note: str = "") -> str:
    return (
        f"You have received {amount} RWF from Payer NAME ({number}) on your mobile money account "
        f"at {ts}. Message from sender: {note}. Your new balance:99 RWF. "
        f"Financial Transaction Id: {txn}."
    )


def add_group(conn: psycopg.Connection, currency: str = "RWF") -> uuid.UUID:
    row = conn.execute(
        "insert into ibimina (name, currency) values ('Group', %s) returning id", (currency,)
    ).fetchone()
    assert row is not None
    return row[0]


def add_member(
    conn: psycopg.Connection,
    group: uuid.UUID,
    phone: str | None,
    code: str | None = None,
    status: str = "active",
    name: str = "Payer Name",
) -> uuid.UUID:
    profile = conn.execute(
        "insert into profiles (whatsapp_e164, display_name) values (%s, %s) "
        "on conflict (whatsapp_e164) do update set display_name = excluded.display_name "
        "returning user_id",
        (phone, name),
    ).fetchone()
    assert profile is not None
    row = conn.execute(
        "insert into ibimina_members (ikimina_id, user_id, member_code, status) "
        "values (%s, %s, %s, %s) returning id",
        (group, profile[0], code, status),
    ).fetchone()
    assert row is not None
    return row[0]


def ingest(conn: psycopg.Connection, sms: str, received_at: str | None = None) -> int:
    row = conn.execute(
        "select inbox_id from momo_sms_ingest(%s, 'M-Money', %s, 'test')", (sms, received_at)
    ).fetchone()
    assert row is not None
    return row[0]


def allocate(conn: psycopg.Connection, limit: int | None = 1000) -> dict:
    row = conn.execute("select momo_allocate(%s)", (limit,)).fetchone()
    assert row is not None
    return row[0]


def inbox(conn: psycopg.Connection, inbox_id: int) -> tuple:
    row = conn.execute(
        "select outcome, last_error, attempts, processed_at is not null from momo_sms_inbox "
        "where id = %s",
        (inbox_id,),
    ).fetchone()
    assert row is not None
    return row


def ledger_total(conn: psycopg.Connection) -> tuple:
    row = conn.execute(
        "select count(*), coalesce(sum(amount), 0) from contributions_ledger"
    ).fetchone()
    assert row is not None
    return row


def assert_cycles_match_ledger(conn: psycopg.Connection) -> None:
    drift = conn.execute(
        """
        select count(*) from contribution_cycles as c
        full join (
            select ikimina_id, cycle_yyyymm, sum(amount) as total
            from contributions_ledger group by 1, 2
        ) as l on l.ikimina_id = c.ikimina_id and l.cycle_yyyymm = c.yyyymm
        where c.collected_amount is distinct from l.total
        """
    ).fetchone()
    assert drift == (0,)
