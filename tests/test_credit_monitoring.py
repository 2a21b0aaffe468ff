"""The credit monitoring views: the contract /metrics is built on, and what they say."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.credits import backdate, funded_shop, reserve, top_up
from tests.support.database import one_row, raises_sqlstate, rows, scalar

CONTRACT = {
    "credit_reservation_stats": [
        ("active_count", "bigint"),
        ("expired_count", "bigint"),
        ("active_amount", "numeric"),
        ("alert_expired", "boolean"),
    ],
    "wallet_reconciliation": [
        ("shopId", "text"),
        ("balance", "numeric"),
        ("reserved", "numeric"),
        ("total_credited", "numeric"),
        ("total_debited", "numeric"),
        ("available", "numeric"),
        ("expected_balance", "numeric"),
        ("difference", "numeric"),
    ],
    "credit_transaction_totals": [
        ("type", "text"),
        ("transactions", "bigint"),
        ("amount", "numeric"),
    ],
    "credit_reservations_leaked": [
        ("id", "text"),
        ("shopId", "text"),
        ("campaignId", "text"),
        ("amount", "numeric"),
        ("createdAt", "timestamp with time zone"),
        ("expiresAt", "timestamp with time zone"),
        ("campaign_status", "text"),
        ("reason", "text"),
        ("age", "interval"),
    ],
}


@pytest.fixture
def svc(admin, connect_as) -> psycopg.Connection:
    return funded_shop(admin, connect_as("app_credits"), credits=100, campaigns=4)


@pytest.mark.parametrize("view", sorted(CONTRACT))
def test_view_has_the_contract_columns_and_a_comment(admin, view):
    columns = [
        (r["attname"], r["type"])
        for r in rows(
            admin,
            """select attname, format_type(atttypid, null) as type from pg_attribute
               where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum""",
            (f"monitoring.{view}",),
        )
    ]
    assert columns == CONTRACT[view]
    comment = scalar(
        admin, "select obj_description(%s::regclass, 'pg_class')", (f"monitoring.{view}",)
    )
    assert comment and all(name in comment for name, _ in CONTRACT[view] if name != "id")


def test_stats_with_no_reservations_is_one_row_of_zeros(admin):
    assert rows(admin, "select * from monitoring.credit_reservation_stats") == [
        {"active_count": 0, "expired_count": 0, "active_amount": 0, "alert_expired": False}
    ]


def test_stats_count_active_and_expired_reservations(admin, svc):
    past = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, past["id"], "2 hours")
    reserve(svc, "c2", "20.5")
    done = reserve(svc, "c3", 5)
    svc.execute("select credit_release(%s, 'x')", (done["id"],))
    stats = one_row(admin, "select * from monitoring.credit_reservation_stats")
    assert stats == {
        "active_count": 2,
        "expired_count": 1,
        "active_amount": Decimal("30.5"),
        "alert_expired": False,
    }


def test_alert_fires_above_the_threshold_setting(admin, svc, connect_as):
    connect_as("app_dba").execute(
        "select setting_set('CREDITS_ALERT_EXPIRED_THRESHOLD', '1', 'test')"
    )
    first = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, first["id"], "2 hours")
    assert scalar(admin, "select alert_expired from monitoring.credit_reservation_stats") is False
    second = reserve(svc, "c2", 10, "1 hour")
    backdate(admin, second["id"], "2 hours")
    assert scalar(admin, "select alert_expired from monitoring.credit_reservation_stats") is True


def test_default_alert_threshold_is_ten(admin, svc):
    assert (
        scalar(
            admin, "select value from app_settings where key = 'CREDITS_ALERT_EXPIRED_THRESHOLD'"
        )
        == "10"
    )


def test_transaction_totals_have_one_row_per_type_even_when_empty(admin, svc):
    reserve(svc, "c1", 10)
    svc.execute("select credit_consume('c1', 4)")
    top_up(svc, "s1", "0.5", "pay-2")
    assert rows(admin, "select * from monitoring.credit_transaction_totals order by type") == [
        {"type": "credit", "transactions": 2, "amount": Decimal("100.5")},
        {"type": "debit", "transactions": 1, "amount": Decimal(4)},
    ]
    admin.execute("set session_replication_role = replica")
    admin.execute('truncate "CreditTransaction" cascade')
    admin.execute("set session_replication_role = origin")
    assert rows(admin, "select * from monitoring.credit_transaction_totals order by type") == [
        {"type": "credit", "transactions": 0, "amount": 0},
        {"type": "debit", "transactions": 0, "amount": 0},
    ]


def test_wallet_reconciliation_shows_a_balance_changed_outside_the_ledger(admin, svc):
    top_up(svc, "s2", 40, "pay-2")
    with admin.transaction():  # what no function can do: triggers off
        admin.execute("set local session_replication_role = replica")
        admin.execute("""update "Wallet" set balance = balance + 7 where "shopId" = 's1'""")
    found = {
        r["shopId"]: (r["balance"], r["expected_balance"], r["difference"])
        for r in rows(admin, "select * from monitoring.wallet_reconciliation")
    }
    assert found == {
        "s1": (Decimal(107), Decimal(100), Decimal(7)),
        "s2": (Decimal(40), Decimal(40), Decimal(0)),
    }


def test_leaked_view_lists_expired_too_old_and_final_campaign_reservations(admin, svc):
    expired = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, expired["id"], "2 hours")
    too_old = reserve(svc, "c2", 10, "48 hours")
    with admin.transaction():
        admin.execute("set local session_replication_role = replica")
        # created 49 hours ago but (odd, yet possible by hand) expiring tomorrow
        admin.execute(
            """update "CreditReservation" set "createdAt" = now() - interval '49 hours',
               "expiresAt" = now() + interval '1 day' where id = %s""",
            (too_old["id"],),
        )
        admin.execute("""update "Campaign" set status = 'sent' where id = 'c3'""")
    final = reserve(svc, "c4", 10)
    with admin.transaction():
        admin.execute("set local session_replication_role = replica")
        admin.execute("""update "Campaign" set status = 'failed' where id = 'c4'""")
    leaked = rows(
        admin, "select id, reason, campaign_status from monitoring.credit_reservations_leaked"
    )
    assert sorted((r["id"], r["reason"], r["campaign_status"]) for r in leaked) == sorted(
        [
            (expired["id"], "expired", "sending"),
            (too_old["id"], "max_age_exceeded", "sending"),
            (final["id"], "campaign_final", "failed"),
        ]
    )


def test_analysts_read_the_views_but_not_the_tables(admin, svc, connect_as):
    analyst = connect_as("app_analyst")
    for view in CONTRACT:
        analyst.execute(f"select * from monitoring.{view}").fetchall()
    for table in ('"Wallet"', '"CreditReservation"', '"CreditTransaction"', '"Campaign"'):
        with raises_sqlstate("42501"):
            analyst.execute(f"select * from {table}")
