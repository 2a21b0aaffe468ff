"""A campaign's status change to sent or failed settles its reservation in the same transaction."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.credits import (
    assert_ledger_consistent,
    consume,
    credits_unchanged,
    funded_shop,
    reservation,
    reserve,
    wallet,
)
from tests.support.database import one_row, raises_sqlstate, scalar, waits_for_commit


@pytest.fixture
def svc(admin, connect_as) -> psycopg.Connection:
    return funded_shop(admin, connect_as("app_credits"), credits=100, campaigns=1)


def test_campaign_failed_releases_its_reservation_in_the_same_transaction(admin, svc, db_url):
    r = reserve(svc, "c1", 60)
    with psycopg.connect(db_url) as conn:  # one transaction, rolled back at the end
        conn.execute("set local role app_credits")
        conn.execute("""update "Campaign" set status = 'failed' where id = 'c1'""")
        conn.execute("reset role")
        inside = one_row(conn, 'select status from "CreditReservation" where id = %s', (r["id"],))
        assert inside["status"] == "released"
        # others do not see it before commit: the credits stay held until then
        assert reservation(admin, r["id"])["status"] == "active"
        conn.rollback()
    # rolled back together: the campaign is still sending and the reservation active
    assert reservation(admin, r["id"])["status"] == "active"
    assert scalar(admin, """select status from "Campaign" where id = 'c1'""") == "sending"

    svc.execute("""update "Campaign" set status = 'failed' where id = 'c1'""")
    done = reservation(admin, r["id"])
    assert done["status"] == "released"
    assert done["meta"] == {
        "releaseReason": "campaign_failed",
        "settledBy": "campaign_status_trigger",
        "campaignStatus": "failed",
    }
    assert wallet(admin, "s1")["available"] == Decimal(100)
    audit = one_row(admin, "select action, reason from audit_log where entity_id = %s", (r["id"],))
    assert audit == {"action": "credit_reservation_released", "reason": "campaign_failed"}


def test_campaign_sent_with_credits_used_consumes_them(admin, svc):
    r = reserve(svc, "c1", 60)
    svc.execute("""update "Campaign" set status = 'sent', "creditsUsed" = 42 where id = 'c1'""")
    done = reservation(admin, r["id"])
    assert (done["status"], done["usedAmount"]) == ("consumed", Decimal(42))
    w = wallet(admin, "s1")
    assert (w["balance"], w["available"], w["total_debited"]) == (Decimal(58), Decimal(58), 42)
    assert_ledger_consistent(admin)


def test_campaign_sent_without_credits_used_releases(admin, svc):
    r = reserve(svc, "c1", 60)
    svc.execute("""update "Campaign" set status = 'sent' where id = 'c1'""")
    done = reservation(admin, r["id"])
    assert (done["status"], done["meta"]["releaseReason"]) == ("released", "campaign_sent")
    assert wallet(admin, "s1")["balance"] == Decimal(100)


def test_status_change_after_consume_settles_nothing_more(admin, svc):
    reserve(svc, "c1", 60)
    consume(svc, "c1", 30)
    before_audit = scalar(admin, "select count(*) from audit_log")
    svc.execute("""update "Campaign" set status = 'sent', "creditsUsed" = 30 where id = 'c1'""")
    assert scalar(admin, "select count(*) from audit_log") == before_audit
    assert wallet(admin, "s1")["balance"] == Decimal(70)


def test_credits_used_above_the_reservation_refuses_the_status_change(admin, svc):
    reserve(svc, "c1", 60)
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM400", "holds 60.00 credits; 61.00 used cannot be charged"),
    ):
        svc.execute("""update "Campaign" set status = 'sent', "creditsUsed" = 61 where id = 'c1'""")


@pytest.mark.parametrize("change", ["status = 'sending'", '"creditsUsed" = 5'])
def test_a_final_campaign_stays_final(admin, svc, change):
    svc.execute("""update "Campaign" set status = 'failed' where id = 'c1'""")
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM409", "campaign c1 is failed and cannot change"),
    ):
        svc.execute(f"""update "Campaign" set {change} where id = 'c1'""")


def test_a_reservation_cannot_slip_in_while_the_campaign_completes(admin, svc, db_url):
    """The status change holds the campaign row; a concurrent reserve waits and is then refused."""
    results: list[str] = []
    with psycopg.connect(db_url) as completing:
        completing.execute("set role app_credits")
        completing.execute("""update "Campaign" set status = 'sent' where id = 'c1'""")

        def reserve_meanwhile() -> None:
            with psycopg.connect(db_url, autocommit=True) as other:
                other.execute("set role app_credits")
                try:
                    reserve(other, "c1", 10)
                    results.append("reserved")
                except psycopg.Error as exc:
                    results.append(exc.sqlstate or "?")

        waits_for_commit(
            completing, reserve_meanwhile, "the reserve should wait for the campaign row"
        )
    assert results == ["MM409"]
    assert scalar(admin, 'select count(*) from "CreditReservation"') == 0
