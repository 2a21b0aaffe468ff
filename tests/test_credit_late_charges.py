"""A campaign that outlives its reservation is still charged; an overdraft is recorded, alerted."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.credits import (
    add_campaign,
    backdate,
    credits_unchanged,
    release,
    reserve,
    top_up,
    wallet,
)
from tests.support.database import one_row, raises_sqlstate, rows, scalar

LATE = """select * from "CreditTransaction" where "lateCharge" order by "createdAt" """


@pytest.fixture
def svc(connect_as) -> psycopg.Connection:
    return connect_as("app_credits")


def finish(conn: psycopg.Connection, campaign_id: str, used: int | None) -> None:
    conn.execute(
        """update "Campaign" set status = 'sent', "creditsUsed" = %s where id = %s""",
        (used, campaign_id),
    )


def overdrawn_alert(admin: psycopg.Connection) -> dict:
    return one_row(
        admin, "select * from monitoring.alerts where alert = 'credit_wallets_overdrawn'"
    )


def expired_reservation(admin, svc, shop: str, funds: int, held: int) -> dict:
    top_up(svc, shop, funds, f"pay-{shop}")
    add_campaign(admin, "c1", shop)
    r = reserve(svc, "c1", held)
    backdate(admin, r["id"], "49 hours")
    admin.execute("select credit_reconcile()")  # the job expires it
    assert scalar(admin, 'select status from "CreditReservation" where id = %s', (r["id"],)) == (
        "expired"
    )
    return r


def test_a_campaign_finishing_after_its_reservation_expired_is_charged(admin, svc):
    r = expired_reservation(admin, svc, "s1", 100, 60)
    assert wallet(admin, "s1")["available"] == Decimal(100)
    finish(svc, "c1", 40)
    [debit] = rows(admin, LATE)
    assert (debit["type"], debit["amount"], debit["reservationId"]) == (
        "debit",
        Decimal(40),
        r["id"],
    )
    assert debit["meta"]["reservationStatus"] == "expired"
    shop = wallet(admin, "s1")
    assert (shop["balance"], shop["difference"]) == (Decimal(60), Decimal(0))
    audit = one_row(admin, "select * from audit_log where action = 'credit_late_charge'")
    assert audit["entity_id"] == debit["id"]
    assert audit["after"]["wallet"]["balance"] == 60
    assert overdrawn_alert(admin)["firing"] is False


def test_a_campaign_finishing_after_its_reservation_was_released_is_charged(admin, svc):
    top_up(svc, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    r = reserve(svc, "c1", 60)
    release(svc, r["id"], "manual_reconciliation")
    finish(svc, "c1", 55)
    [debit] = rows(admin, LATE)
    assert (debit["amount"], debit["meta"]["releaseReason"]) == (
        Decimal(55),
        "manual_reconciliation",
    )
    assert wallet(admin, "s1")["balance"] == Decimal(45)


def test_too_little_credit_records_the_overdraft_and_alerts(admin, svc, client):
    expired_reservation(admin, svc, "s1", 50, 50)
    # Its 50 credits were free again; another campaign used 30 of them meanwhile.
    add_campaign(admin, "c0", "s1")
    reserve(svc, "c0", 30)
    finish(svc, "c0", 30)
    finish(svc, "c1", 50)  # more than the wallet holds now: charged all the same
    shop = wallet(admin, "s1")
    assert (shop["balance"], shop["available"], shop["difference"]) == (
        Decimal(-30),
        Decimal(-30),
        Decimal(0),
    )
    alert = overdrawn_alert(admin)
    assert (alert["firing"], alert["current_value"]) == (True, 1)
    assert alert["note"] == "overdrawn: s1 (-30.00)"
    body = client.get("/metrics").get_data(as_text=True)
    assert "credit_wallets_overdrawn 1.0" in body
    assert 'momo_alert_firing{alert="credit_wallets_overdrawn"} 1.0' in body

    # No new reservation fits an overdraft; a top-up settles it.
    add_campaign(admin, "c2", "s1")
    with raises_sqlstate("MM402"):
        reserve(svc, "c2", 1)
    top_up(svc, "s1", 100, "pay-2")
    assert wallet(admin, "s1")["balance"] == Decimal(70)
    assert overdrawn_alert(admin)["firing"] is False


def test_an_overdrawn_shop_can_still_consume_a_reservation_it_held(admin, svc):
    top_up(svc, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    add_campaign(admin, "c2", "s1")
    add_campaign(admin, "c3", "s1")
    late = reserve(svc, "c1", 50)
    reserve(svc, "c2", 50)
    release(svc, late["id"], "manual_reconciliation")
    reserve(svc, "c3", 50)  # the 50 c1 freed
    finish(svc, "c3", 50)
    finish(svc, "c1", 50)  # balance 0 with c2 still holding 50: available -50
    assert wallet(admin, "s1")["available"] == Decimal(-50)
    finish(svc, "c2", 50)
    assert wallet(admin, "s1")["balance"] == Decimal(-50)
    assert [r["amount"] for r in rows(admin, LATE)] == [Decimal(50)]


def test_a_late_charge_above_the_reservation_is_refused_and_changes_nothing(admin, svc):
    """Issue 24 item 3: released, then sent with creditsUsed = 999999: refused, not charged."""
    top_up(svc, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    r = reserve(svc, "c1", 100)
    release(svc, r["id"], "campaign_cancelled")
    with credits_unchanged(admin), raises_sqlstate("MM400", "reservation .* held 100.00"):
        finish(svc, "c1", 999999)
    assert scalar(admin, "select status from \"Campaign\" where id = 'c1'") == "sending"
    assert wallet(admin, "s1")["balance"] == Decimal(100)
    assert rows(admin, LATE) == []
    finish(svc, "c1", 100)  # what it reserved is still charged late
    assert wallet(admin, "s1")["balance"] == Decimal(0)


def test_without_credits_used_nothing_is_charged(admin, svc):
    expired_reservation(admin, svc, "s1", 100, 60)
    finish(svc, "c1", None)
    assert rows(admin, LATE) == []
    assert wallet(admin, "s1")["balance"] == Decimal(100)


def test_a_late_charge_is_posted_once_and_cannot_be_forged(admin, svc):
    r = expired_reservation(admin, svc, "s1", 100, 60)
    finish(svc, "c1", 40)
    # A replay charges nothing twice (one debit per reservation).
    assert scalar(admin, "select (_credit_charge_late('c1', 40)).id") is None
    assert len(rows(admin, LATE)) == 1
    # The credits service cannot post one; nor can anyone charge an active reservation late.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        svc.execute(
            """insert into "CreditTransaction" ("shopId", type, amount, "reservationId", """
            """"lateCharge") values ('s1', 'debit', 1, %s, true)""",
            (r["id"],),
        )
    add_campaign(admin, "c3", "s1")
    active = reserve(svc, "c3", 10)
    with raises_sqlstate("MM409", "released or expired"):
        admin.execute(
            """insert into "CreditTransaction" ("shopId", type, amount, "reservationId", """
            """"lateCharge") values ('s1', 'debit', 1, %s, true)""",
            (active["id"],),
        )
