"""Builders and checks for the SMS-credit tests.

Money is compared as Decimal, never float. Setup that a service would not do
(creating campaigns, backdating rows) uses the superuser `admin` connection;
the functions under test are called as the roles that use them in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import psycopg

from tests.support.database import one_row, rows, scalar

CREDIT_TABLES = (
    '"Wallet"',
    '"Campaign"',
    '"CreditReservation"',
    '"CreditTransaction"',
    "credit_reconcile_runs",
    "audit_log",
)


def add_campaign(
    admin: psycopg.Connection, campaign_id: str, shop_id: str, status: str = "sending"
) -> None:
    admin.execute(
        'insert into "Campaign" (id, "shopId", name, status) values (%s, %s, %s, %s)',
        (campaign_id, shop_id, f"campaign {campaign_id}", status),
    )


def funded_shop(
    admin: psycopg.Connection,
    svc: psycopg.Connection,
    credits: int,
    campaigns: int,
    shop_id: str = "s1",
) -> psycopg.Connection:
    """Shop `shop_id` topped up with `credits` by the service (reference pay-1) and campaigns
    c1..c<campaigns> of it sending; returns the service's connection."""
    top_up(svc, shop_id, credits, "pay-1")
    for n in range(1, campaigns + 1):
        add_campaign(admin, f"c{n}", shop_id)
    return svc


def top_up(conn: psycopg.Connection, shop_id: str, amount: str | int, reference: str) -> dict:
    return one_row(
        conn, "select * from credit_top_up(%s, %s, %s)", (shop_id, Decimal(amount), reference)
    )


def reserve(
    conn: psycopg.Connection, campaign_id: str, amount: str | int, expires_in: str | None = None
) -> dict:
    return one_row(
        conn,
        "select * from credit_reserve(%s, %s, %s::interval)",
        (campaign_id, Decimal(amount), expires_in),
    )


def consume(conn: psycopg.Connection, campaign_id: str, used: str | int) -> dict:
    return one_row(conn, "select * from credit_consume(%s, %s)", (campaign_id, Decimal(used)))


def release(conn: psycopg.Connection, reservation_id: str, reason: str = "test") -> dict:
    return one_row(conn, "select * from credit_release(%s, %s)", (reservation_id, reason))


def expire(conn: psycopg.Connection, reservation_id: str) -> dict:
    return one_row(conn, "select * from credit_expire(%s)", (reservation_id,))


def reservation(admin: psycopg.Connection, reservation_id: str) -> dict:
    return one_row(admin, 'select * from "CreditReservation" where id = %s', (reservation_id,))


def wallet(admin: psycopg.Connection, shop_id: str) -> dict:
    """The shop's row of monitoring.wallet_reconciliation."""
    return one_row(
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


def credit_snapshot(admin: psycopg.Connection) -> dict[str, list[tuple]]:
    """Every row of the credit tables and the audit log, to show a refusal changed nothing."""
    return {
        table: sorted(
            (tuple(str(v) for v in row) for row in admin.execute(f"select * from {table}")),
        )
        for table in CREDIT_TABLES
    }


@contextmanager
def credits_unchanged(admin: psycopg.Connection) -> Iterator[None]:
    """Around a refusal: the credit tables and the audit log are as they were before it."""
    before = credit_snapshot(admin)
    yield
    assert credit_snapshot(admin) == before


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
    doubled = scalar(
        admin,
        """select count(*) from (select "campaignId" from "CreditReservation"
           where status = 'active' group by 1 having count(*) > 1) as d""",
    )
    assert doubled == 0
