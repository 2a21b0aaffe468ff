"""The credit functions: top up, reserve, consume, release, expire.

Each is called as app_credits (the credits service), each refusal is shown to
change nothing, and each retry is shown to do nothing twice.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from tests.support.credits import (
    add_campaign,
    assert_ledger_consistent,
    backdate,
    consume,
    credit_snapshot,
    credits_unchanged,
    expire,
    funded_shop,
    release,
    reservation,
    reserve,
    top_up,
    wallet,
)
from tests.support.database import one_row, raises_sqlstate, rows, scalar


@pytest.fixture
def svc(admin, connect_as) -> psycopg.Connection:
    """The credits service's connection, with shop s1 holding 100 credits and two campaigns."""
    return funded_shop(admin, connect_as("app_credits"), credits=100, campaigns=2)


# -- top up -------------------------------------------------------------------


def test_top_up_creates_the_wallet_and_credits_it(admin, connect_as):
    conn = connect_as("app_credits")
    tx = top_up(conn, "shop-9", "12.50", "pay-abc")
    assert tx["id"].startswith("ctx_")
    assert (tx["type"], tx["amount"], tx["reference"]) == ("credit", Decimal("12.50"), "pay-abc")
    top_up(conn, "shop-9", 10, "pay-def")
    w = wallet(admin, "shop-9")
    assert (w["balance"], w["total_credited"], w["available"]) == (Decimal("22.50"),) * 3
    audit = rows(admin, "select action, entity_id, reason from audit_log order by id")
    assert audit == [
        {"action": "credit_top_up", "entity_id": "shop-9", "reason": "pay-abc"},
        {"action": "credit_top_up", "entity_id": "shop-9", "reason": "pay-def"},
    ]


def test_top_up_retry_with_the_same_reference_adds_nothing(admin, svc):
    before = credit_snapshot(admin)
    again = top_up(svc, "s1", 100, "pay-1")
    assert again["reference"] == "pay-1"
    assert credit_snapshot(admin) == before
    assert wallet(admin, "s1")["balance"] == Decimal(100)


def test_top_up_reference_reused_for_another_payment_is_refused(admin, svc):
    before = credit_snapshot(admin)
    with raises_sqlstate("MM409", "reference pay-1 was already used"):
        top_up(svc, "s1", 50, "pay-1")
    with raises_sqlstate("MM409"):
        top_up(svc, "s2", 100, "pay-1")
    assert credit_snapshot(admin) == before


@pytest.mark.parametrize(
    ("shop", "amount", "reference", "field"),
    [
        ("s1", "0", "p", "amount"),
        ("s1", "-5", "p", "amount"),
        ("s1", "1.001", "p", "amount"),
        ("s1", "NaN", "p", "amount"),
        ("s1", "1e20", "p", "amount"),
        ("s1", None, "p", "amount"),
        ("s1", "5", "", "reference"),
        ("s1", "5", None, "reference"),
        ("", "5", "p", "shopId"),
        ("bad shop", "5", "p", "shopId"),
    ],
)
def test_top_up_bad_input_is_refused(admin, svc, shop, amount, reference, field):
    with credits_unchanged(admin), raises_sqlstate("MM400") as info:
        svc.execute(
            "select credit_top_up(%s, %s, %s)",
            (shop, None if amount is None else Decimal(amount), reference),
        )
    assert info.value.diag.column_name == field


# -- reserve ------------------------------------------------------------------


def test_reserve_holds_credits_for_48_hours_by_default(admin, svc):
    r = reserve(svc, "c1", 60)
    assert r["id"].startswith("res_") and r["status"] == "active"
    assert (r["shopId"], r["campaignId"], r["amount"]) == ("s1", "c1", Decimal(60))
    assert r["expiresAt"] - r["createdAt"] == timedelta(hours=48)
    w = wallet(admin, "s1")
    assert (w["balance"], w["reserved"], w["available"]) == (Decimal(100), Decimal(60), Decimal(40))


def test_reserve_expiry_follows_the_ttl_setting(admin, svc, connect_as):
    connect_as("app_dba").execute(
        "select setting_set('CREDITS_RESERVATION_TTL', '24 hours', 'shorter holds')"
    )
    r = reserve(svc, "c1", 10)
    assert r["expiresAt"] - r["createdAt"] == timedelta(hours=24)


def test_reserve_ttl_setting_is_capped_at_the_max_age(admin, svc, connect_as):
    connect_as("app_dba").execute(
        "select setting_set('CREDITS_RESERVATION_TTL', '72 hours', 'too long')"
    )
    r = reserve(svc, "c1", 10)
    assert r["expiresAt"] - r["createdAt"] == timedelta(hours=48)


def test_reserve_with_an_explicit_expiry(admin, svc):
    r = reserve(svc, "c1", 10, "2 hours")
    assert r["expiresAt"] - r["createdAt"] == timedelta(hours=2)


@pytest.mark.parametrize("expires_in", ["0", "-1 hour", "49 hours"])
def test_reserve_expiry_out_of_range_is_refused(admin, svc, expires_in):
    with credits_unchanged(admin), raises_sqlstate("MM400") as info:
        reserve(svc, "c1", 10, expires_in)
    assert info.value.diag.column_name == "expiresIn"


def test_reserve_short_of_credit_is_refused_with_mm402(admin, svc):
    reserve(svc, "c1", 60)
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM402", "shop s1 has 40.00 credits available, 41 requested") as info,
    ):
        reserve(svc, "c2", 41)
    assert info.value.diag.message_detail == "balance 100.00, reserved by active reservations 60.00"
    # exactly the available amount is fine
    assert reserve(svc, "c2", 40)["status"] == "active"
    assert wallet(admin, "s1")["available"] == 0


def test_reserve_for_a_shop_without_wallet_is_refused_with_mm402(admin, svc):
    add_campaign(admin, "c-new", "nowallet")
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM402", "shop nowallet has 0 credits available"),
    ):
        reserve(svc, "c-new", 1)


@pytest.mark.parametrize("amount", ["0", "-1", "0.001", None])
def test_reserve_bad_amount_is_refused(admin, svc, amount):
    with credits_unchanged(admin), raises_sqlstate("MM400") as info:
        svc.execute(
            "select credit_reserve(%s, %s)", ("c1", None if amount is None else Decimal(amount))
        )
    assert info.value.diag.column_name == "amount"


def test_reserve_retry_returns_the_same_reservation(admin, svc):
    first = reserve(svc, "c1", 30)
    before = credit_snapshot(admin)
    assert reserve(svc, "c1", 30) == first
    assert credit_snapshot(admin) == before
    assert wallet(admin, "s1")["reserved"] == Decimal(30)


def test_reserve_another_amount_while_active_is_refused(admin, svc):
    first = reserve(svc, "c1", 30)
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM409", f"campaign c1 already holds reservation {first['id']}"),
    ):
        reserve(svc, "c1", 31)


def test_reserve_for_an_unknown_campaign_is_refused(admin, svc):
    with credits_unchanged(admin), raises_sqlstate("MM404", "campaign nope does not exist"):
        reserve(svc, "nope", 1)


@pytest.mark.parametrize("status", ["sent", "failed"])
def test_reserve_for_a_final_campaign_is_refused(admin, svc, status):
    add_campaign(admin, "c-final", "s1", status)
    with credits_unchanged(admin), raises_sqlstate("MM409", f"campaign c-final is {status}"):
        reserve(svc, "c-final", 1)


def test_reserve_after_the_campaign_consumed_is_refused(admin, svc):
    reserve(svc, "c1", 30)
    consume(svc, "c1", 10)
    with credits_unchanged(admin), raises_sqlstate("MM409", "already consumed"):
        reserve(svc, "c1", 30)


def test_reserve_again_after_a_release_makes_a_new_reservation(admin, svc):
    first = reserve(svc, "c1", 30)
    release(svc, first["id"], "rescheduled")
    second = reserve(svc, "c1", 30)
    assert second["id"] != first["id"]
    assert wallet(admin, "s1")["reserved"] == Decimal(30)


# -- consume ------------------------------------------------------------------


def test_consume_debits_the_used_credits_and_releases_the_rest(admin, svc):
    r = reserve(svc, "c1", 60)
    done = consume(svc, "c1", "45.5")
    assert (done["id"], done["status"], done["usedAmount"]) == (
        r["id"],
        "consumed",
        Decimal("45.5"),
    )
    assert done["releasedAt"] is not None
    remainder = scalar(
        admin,
        """select (meta ->> 'releasedRemainder')::numeric from "CreditReservation" where id = %s""",
        (r["id"],),
    )
    assert remainder == Decimal("14.5")
    debit = one_row(admin, """select * from "CreditTransaction" where type = 'debit'""")
    assert (debit["amount"], debit["reservationId"], debit["shopId"]) == (
        Decimal("45.5"),
        r["id"],
        "s1",
    )
    w = wallet(admin, "s1")
    assert (w["balance"], w["reserved"], w["available"], w["total_debited"]) == (
        Decimal("54.5"),
        0,
        Decimal("54.5"),
        Decimal("45.5"),
    )
    audit = one_row(admin, "select * from audit_log where entity = 'CreditReservation'")
    assert (audit["action"], audit["entity_id"]) == ("credit_reservation_consumed", r["id"])
    assert audit["reason"] == "used 45.50 of 60.00 credits"
    assert audit["before"]["status"] == "active" and audit["after"]["status"] == "consumed"
    assert_ledger_consistent(admin)


def test_consume_retry_charges_once(admin, svc):
    reserve(svc, "c1", 60)
    first = consume(svc, "c1", 45)
    before = credit_snapshot(admin)
    assert consume(svc, "c1", 45) == first
    assert credit_snapshot(admin) == before
    with raises_sqlstate("MM409", "already consumed 45.00 credits"):
        consume(svc, "c1", 44)
    assert credit_snapshot(admin) == before


def test_consume_nothing_used_posts_no_debit(admin, svc):
    reserve(svc, "c1", 60)
    done = consume(svc, "c1", 0)
    assert (done["status"], done["usedAmount"]) == ("consumed", 0)
    assert scalar(admin, "select count(*) from \"CreditTransaction\" where type = 'debit'") == 0
    assert wallet(admin, "s1")["available"] == Decimal(100)


def test_consume_more_than_reserved_is_refused(admin, svc):
    reserve(svc, "c1", 60)
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM400", "holds 60.00 credits; 61 used cannot be charged") as info,
    ):
        consume(svc, "c1", 61)
    assert info.value.diag.column_name == "used"


@pytest.mark.parametrize("used", ["-1", "0.005", None])
def test_consume_bad_amount_is_refused(admin, svc, used):
    reserve(svc, "c1", 60)
    with credits_unchanged(admin), raises_sqlstate("MM400"):
        svc.execute(
            "select credit_consume(%s, %s)", ("c1", None if used is None else Decimal(used))
        )


def test_consume_without_a_reservation_is_refused(admin, svc):
    before = credit_snapshot(admin)
    with raises_sqlstate("MM404", "campaign c1 has no credit reservation"):
        consume(svc, "c1", 1)
    with raises_sqlstate("MM404", "campaign ghost does not exist"):
        consume(svc, "ghost", 1)
    assert credit_snapshot(admin) == before


def test_consume_after_a_release_is_refused(admin, svc):
    r = reserve(svc, "c1", 60)
    release(svc, r["id"], "campaign_cancelled")
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM409", f"{r['id']} was released .* \\(campaign_cancelled\\)"),
    ):
        consume(svc, "c1", 10)


# -- release ------------------------------------------------------------------


def test_release_frees_the_credits_with_its_reason_and_audit(admin, svc):
    r = reserve(svc, "c1", 60)
    done = release(svc, r["id"], "campaign_cancelled")
    assert done["status"] == "released" and done["releasedAt"] is not None
    assert done["meta"] == {"releaseReason": "campaign_cancelled"}
    assert done["usedAmount"] is None
    w = wallet(admin, "s1")
    assert (w["balance"], w["reserved"], w["available"]) == (Decimal(100), 0, Decimal(100))
    audit = one_row(admin, "select * from audit_log where entity = 'CreditReservation'")
    assert (audit["action"], audit["entity_id"], audit["reason"]) == (
        "credit_reservation_released",
        r["id"],
        "campaign_cancelled",
    )
    # no transaction: releasing moves no credits
    assert scalar(admin, 'select count(*) from "CreditTransaction"') == 1


def test_release_retry_is_refused_and_changes_nothing(admin, svc):
    r = reserve(svc, "c1", 60)
    release(svc, r["id"], "x")
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM409", f"credit reservation {r['id']} is not active: released"),
    ):
        release(svc, r["id"], "x")


def test_release_of_a_consumed_reservation_is_refused(admin, svc):
    r = reserve(svc, "c1", 60)
    consume(svc, "c1", 20)
    with credits_unchanged(admin), raises_sqlstate("MM409", "is not active: consumed"):
        release(svc, r["id"], "x")


def test_release_unknown_or_without_reason_is_refused(admin, svc):
    r = reserve(svc, "c1", 60)
    before = credit_snapshot(admin)
    with raises_sqlstate("MM404", "res_nope does not exist"):
        release(svc, "res_nope", "x")
    for reason in ("", "  ", None):
        with raises_sqlstate("MM400") as info:
            svc.execute("select credit_release(%s, %s)", (r["id"], reason))
        assert info.value.diag.column_name == "reason"
    assert credit_snapshot(admin) == before


# -- expire -------------------------------------------------------------------


def test_expire_frees_a_reservation_past_its_expiry(admin, svc):
    r = reserve(svc, "c1", 60, "1 hour")
    backdate(admin, r["id"], "2 hours")
    done = expire(svc, r["id"])
    assert done["status"] == "expired" and done["meta"]["releaseReason"] == "expired"
    assert wallet(admin, "s1")["available"] == Decimal(100)
    audit = one_row(admin, "select * from audit_log where entity = 'CreditReservation'")
    assert (audit["action"], audit["reason"]) == ("credit_reservation_expired", "expired")


def test_expire_frees_a_reservation_older_than_the_max_age(admin, svc, connect_as):
    r = reserve(svc, "c1", 60, "48 hours")
    connect_as("app_dba").execute(
        "select setting_set('CREDITS_RESERVATION_MAX_AGE', '24 hours', 'shorter')"
    )
    backdate(admin, r["id"], "25 hours")
    assert expire(svc, r["id"])["meta"]["releaseReason"] == "max_age_exceeded"


def test_expire_before_it_is_due_is_refused(admin, svc):
    r = reserve(svc, "c1", 60)
    with credits_unchanged(admin), raises_sqlstate("MM409", "is not due to expire until"):
        expire(svc, r["id"])


def test_expire_retry_or_unknown_is_refused(admin, svc):
    r = reserve(svc, "c1", 60, "1 hour")
    backdate(admin, r["id"], "2 hours")
    expire(svc, r["id"])
    before = credit_snapshot(admin)
    with raises_sqlstate("MM409", "is not active: expired"):
        expire(svc, r["id"])
    with raises_sqlstate("MM404"):
        expire(svc, "res_unknown")
    assert credit_snapshot(admin) == before
    assert reservation(admin, r["id"])["status"] == "expired"


# -- privileges ---------------------------------------------------------------


def test_the_service_reaches_credits_only_through_the_functions(admin, svc):
    before = credit_snapshot(admin)
    for statement in (
        'select * from "Wallet"',
        'select * from "CreditReservation"',
        'update "Wallet" set balance = 1000',
        """insert into "CreditTransaction" ("shopId", type, amount, reference)
           values ('s1', 'credit', 5, 'x')""",
        "select credit_reconcile()",
    ):
        with raises_sqlstate("42501"):
            svc.execute(statement)
    assert credit_snapshot(admin) == before
