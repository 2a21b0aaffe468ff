"""Helpers shared by the credit tests (no tests here).

Money is compared as Decimal, never float. Setup that a service would not do
(creating campaigns, backdating rows) uses the superuser `admin` connection;
the functions under test are called as the roles that use them in production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

RUNBOOK = (
    Path(__file__).resolve().parent.parent
    / "docs"
    / "sources"
    / "credit-reconciliation-runbook.txt"
)

CREDIT_TABLES = (
    '"Wallet"',
    '"Campaign"',
    '"CreditReservation"',
    '"CreditTransaction"',
    "credit_reconcile_runs",
    "audit_log",
)


def runbook_blocks(language: str) -> list[str]:
    """The ```<language> blocks of the credit runbook seed, verbatim, in order."""
    text = RUNBOOK.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def runbook_sql(heading_word: str) -> str:
    """The one ```sql block that follows the runbook heading containing `heading_word`."""
    text = RUNBOOK.read_text(encoding="utf-8")
    sections = re.split(r"\n(?=#+ )", text)
    matches = [
        block
        for section in sections
        if heading_word in section.splitlines()[0]
        for block in re.findall(r"```sql\n(.*?)```", section, flags=re.DOTALL)
    ]
    assert len(matches) == 1, f"expected one sql block under a heading with {heading_word!r}"
    return matches[0]


def rows(conn: psycopg.Connection, query: str, params: tuple = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)  # type: ignore[arg-type]
        return cur.fetchall()


def one(conn: psycopg.Connection, query: str, params: tuple = ()) -> dict[str, Any]:
    result = rows(conn, query, params)
    assert len(result) == 1, result
    return result[0]


def value(conn: psycopg.Connection, query: str, params: tuple = ()) -> Any:
    row = conn.execute(query, params).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return row[0]


def add_campaign(
    admin: psycopg.Connection, campaign_id: str, shop_id: str, status: str = "sending"
) -> None:
    admin.execute(
        'insert into "Campaign" (id, "shopId", name, status) values (%s, %s, %s, %s)',
        (campaign_id, shop_id, f"campaign {campaign_id}", status),
    )


def top_up(conn: psycopg.Connection, shop_id: str, amount: str | int, reference: str) -> dict:
    return one(
        conn, "select * from credit_top_up(%s, %s, %s)", (shop_id, Decimal(amount), reference)
    )


def reserve(
    conn: psycopg.Connection, campaign_id: str, amount: str | int, expires_in: str | None = None
) -> dict:
    return one(
        conn,
        "select * from credit_reserve(%s, %s, %s::interval)",
        (campaign_id, Decimal(amount), expires_in),
    )


def consume(conn: psycopg.Connection, campaign_id: str, used: str | int) -> dict:
    return one(conn, "select * from credit_consume(%s, %s)", (campaign_id, Decimal(used)))


def release(conn: psycopg.Connection, reservation_id: str, reason: str = "test") -> dict:
    return one(conn, "select * from credit_release(%s, %s)", (reservation_id, reason))


def expire(conn: psycopg.Connection, reservation_id: str) -> dict:
    return one(conn, "select * from credit_expire(%s)", (reservation_id,))


def reservation(admin: psycopg.Connection, reservation_id: str) -> dict:
    return one(admin, 'select * from "CreditReservation" where id = %s', (reservation_id,))


def wallet(admin: psycopg.Connection, shop_id: str) -> dict:
    """The shop's row of monitoring.wallet_reconciliation."""
    return one(
        admin, 'select * from monitoring.wallet_reconciliation where "shopId" = %s', (shop_id,)
    )


def backdate(admin: psycopg.Connection, reservation_id: str, by: str) -> None:
    """Move a reservation's createdAt and expiresAt into the past (test setup only:
    the guard trigger forbids it, so this runs with triggers off)."""
    with admin.transaction():
        admin.execute("set local session_replication_role = replica")
        admin.execute(
            'update "CreditReservation" set "createdAt" = "createdAt" - %s::interval, '
            '"expiresAt" = "expiresAt" - %s::interval where id = %s',
            (by, by, reservation_id),
        )


def snapshot(admin: psycopg.Connection) -> dict[str, list[tuple]]:
    """Every row of the credit tables and the audit log, to show a refusal changed nothing."""
    return {
        table: sorted(
            (tuple(str(v) for v in row) for row in admin.execute(f"select * from {table}")),
        )
        for table in CREDIT_TABLES
    }


@contextmanager
def refused(sqlstate: str, match: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """Expect a database error with `sqlstate` (and a message matching `match`)."""
    with pytest.raises(psycopg.Error) as info:
        yield info
    assert info.value.sqlstate == sqlstate, (info.value.sqlstate, str(info.value))
    if match is not None:
        assert re.search(match, str(info.value)), str(info.value)


def assert_ledger_consistent(admin: psycopg.Connection) -> None:
    """The ledger invariants, computed from the tables (not from the views under test)."""
    shops = rows(
        admin,
        """
        select w."shopId", w.balance,
            coalesce((select sum(t.amount) from "CreditTransaction" t
                      where t."shopId" = w."shopId" and t.type = 'credit'), 0)
            - coalesce((select sum(t.amount) from "CreditTransaction" t
                        where t."shopId" = w."shopId" and t.type = 'debit'), 0) as expected,
            w.balance - coalesce((select sum(r.amount) from "CreditReservation" r
                                  where r."shopId" = w."shopId" and r.status = 'active'), 0)
                as available,
            coalesce((select sum(t.amount) from "CreditTransaction" t
                      where t."shopId" = w."shopId" and t."lateCharge"), 0) as late_charges
        from "Wallet" w
        """,
    )
    for shop in shops:
        assert shop["balance"] == shop["expected"], shop
        # Only late charges (campaigns charged after their reservation was freed) overdraw.
        assert shop["available"] + shop["late_charges"] >= 0, shop
    # a debit belongs to a consumed reservation and is its used amount; a consumed
    # reservation with credits used has its debit
    mismatched = rows(
        admin,
        """
        select r.id, r.status, r."usedAmount", t.amount as debited
        from "CreditReservation" r
        left join "CreditTransaction" t
            on t."reservationId" = r.id and t.type = 'debit' and not t."lateCharge"
        where (t.id is not null and (r.status <> 'consumed' or r."usedAmount" <> t.amount))
            or (r.status = 'consumed' and t.id is null and r."usedAmount" <> 0)
        """,
    )
    assert mismatched == []
    doubled = value(
        admin,
        """select count(*) from (select "campaignId" from "CreditReservation"
           where status = 'active' group by 1 having count(*) > 1) as d""",
    )
    assert doubled == 0
