"""The credit invariants hold as constraints and triggers, also for a superuser in psql.

Amounts positive; at most one active reservation per campaign; the ledger is
append-only; a wallet balance is the sum of its transactions; available credit
is never below zero; a reservation leaves active once and every change is audited.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.credits import (
    consume,
    credit_snapshot,
    credits_unchanged,
    funded_shop,
    release,
    reservation,
    reserve,
    top_up,
    wallet,
)
from tests.support.database import raises_sqlstate, scalar, waits_for_commit


@pytest.fixture
def svc(admin, connect_as) -> psycopg.Connection:
    """Shop s1 holding 100 credits and two campaigns, c1 and c2."""
    return funded_shop(admin, connect_as("app_credits"), credits=100, campaigns=2)


def test_credit_transactions_are_append_only(admin, svc):
    before = credit_snapshot(admin)
    with raises_sqlstate("MM409", '"?CreditTransaction"? is append-only: update is not allowed'):
        admin.execute('update "CreditTransaction" set amount = 1')
    with raises_sqlstate("MM409", "delete is not allowed"):
        admin.execute('delete from "CreditTransaction"')
    with raises_sqlstate("MM409", "truncate is not allowed"):
        admin.execute('truncate "CreditTransaction" cascade')
    assert credit_snapshot(admin) == before


def test_reconcile_runs_are_append_only(admin, connect_as):
    connect_as("app_dba").execute("select credit_reconcile()")
    before = credit_snapshot(admin)
    with raises_sqlstate("MM409"):
        admin.execute("update credit_reconcile_runs set expired = 5")
    with raises_sqlstate("MM409"):
        admin.execute("delete from credit_reconcile_runs")
    assert credit_snapshot(admin) == before


def test_a_wallet_balance_moves_only_with_its_transactions(admin, svc):
    before = credit_snapshot(admin)
    with raises_sqlstate("MM409", "balance is the sum of its credit transactions"):
        admin.execute("""update "Wallet" set balance = 1000 where "shopId" = 's1'""")
    with raises_sqlstate("MM409", "must start with balance 0"):
        admin.execute("""insert into "Wallet" ("shopId", balance) values ('s9', 50)""")
    with raises_sqlstate("MM409", "cannot be deleted"):
        admin.execute("""delete from "Wallet" where "shopId" = 's1'""")
    assert credit_snapshot(admin) == before


@pytest.mark.parametrize(
    "statement",
    [
        """insert into "CreditTransaction" ("shopId", type, amount, reference)
           values ('s1', 'credit', 0, 'zero')""",
        """insert into "CreditTransaction" ("shopId", type, amount, reference)
           values ('s1', 'credit', -5, 'negative')""",
        """insert into "CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
           values ('s1', 'c1', 0, now() + interval '1 hour')""",
        # a credit without a payment reference, a debit without a reservation
        """insert into "CreditTransaction" ("shopId", type, amount) values ('s1', 'credit', 5)""",
        """insert into "CreditTransaction" ("shopId", type, amount) values ('s1', 'debit', 5)""",
        # a reservation that expires before it starts, or for another shop's campaign
        """insert into "CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
           values ('s1', 'c1', 5, now() - interval '1 hour')""",
    ],
)
def test_malformed_rows_are_refused_by_constraints(admin, svc, statement):
    with credits_unchanged(admin), pytest.raises(psycopg.errors.CheckViolation):
        admin.execute(statement)


def test_a_reservation_belongs_to_its_campaigns_shop(admin, svc):
    top_up(svc, "s2", 100, "pay-2")
    with credits_unchanged(admin), pytest.raises(psycopg.errors.ForeignKeyViolation):
        admin.execute(
            """insert into "CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
               values ('s2', 'c1', 5, now() + interval '1 hour')"""
        )


def test_at_most_one_active_reservation_per_campaign(admin, svc):
    reserve(svc, "c1", 10)
    with credits_unchanged(admin), pytest.raises(psycopg.errors.UniqueViolation):
        admin.execute(
            """insert into "CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
               values ('s1', 'c1', 5, now() + interval '1 hour')"""
        )


def test_available_credit_never_goes_below_zero_even_for_a_raw_insert(admin, svc):
    reserve(svc, "c1", 80)
    before = credit_snapshot(admin)
    # checked at commit (a deferred constraint trigger), so the insert itself passes
    with (
        raises_sqlstate("MM402", "shop s1 would have -20.00 credits available"),
        admin.transaction(),
    ):
        admin.execute(
            """insert into "CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
               values ('s1', 'c2', 40, now() + interval '1 hour')"""
        )
    assert credit_snapshot(admin) == before


def test_available_credit_check_holds_for_concurrent_raw_inserts(admin, svc, db_url):
    """Two sessions each take 60 of 100 credits without the functions' wallet lock: the
    commit-time check locks the wallet itself, so the second one sees the first."""
    insert = """insert into "CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
                values ('s1', %s, 60, now() + interval '1 hour')"""
    outcome: list[str] = []
    with psycopg.connect(db_url) as first:
        first.execute(insert, ("c1",))
        first.execute("set constraints all immediate")  # checked now; holds the wallet lock

        def second_session() -> None:
            with psycopg.connect(db_url) as second:
                second.execute(insert, ("c2",))
                try:
                    second.commit()
                    outcome.append("committed")
                except psycopg.Error as exc:
                    outcome.append(exc.sqlstate or "?")

        waits_for_commit(first, second_session, "the second commit should wait for the wallet lock")
    assert outcome == ["MM402"]
    assert wallet(admin, "s1")["available"] == Decimal(40)


def test_a_debit_charges_an_active_reservation_at_most_its_amount(admin, svc):
    r = reserve(svc, "c1", 30)
    with credits_unchanged(admin), raises_sqlstate("MM409", "exceeds reservation"):
        admin.execute(
            """insert into "CreditTransaction" ("shopId", type, amount, "reservationId")
               values ('s1', 'debit', 31, %s)""",
            (r["id"],),
        )
    release(svc, r["id"], "x")
    with (
        credits_unchanged(admin),
        raises_sqlstate("MM409", "a debit must charge an active reservation"),
    ):
        admin.execute(
            """insert into "CreditTransaction" ("shopId", type, amount, "reservationId")
               values ('s1', 'debit', 5, %s)""",
            (r["id"],),
        )


def test_reservation_and_transaction_ids_are_prefixed_text(admin, svc):
    r = reserve(svc, "c1", 30)
    assert r["id"].startswith("res_") and len(r["id"]) == 36
    types = scalar(
        admin,
        """select array_agg(format_type(atttypid, atttypmod) order by attrelid::regclass::text)
           from pg_attribute where attname = 'id'
           and attrelid in ('"CreditReservation"'::regclass, '"CreditTransaction"'::regclass)""",
    )
    assert types == ["text", "text"]
    # the runbook's `WHERE id = '<reservation-id>'` compares text with text
    assert scalar(admin, """select status from "CreditReservation" where id = %s""", (r["id"],))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("status = 'active'", "is released and cannot change"),
        ("meta = '{}'", "is released and cannot change"),
        ("amount = 1", 'only status, "releasedAt" and meta can change'),
        ("\"expiresAt\" = now() + interval '9 days'", "only status"),
    ],
)
def test_a_released_reservation_never_changes_again(admin, svc, change, message):
    r = reserve(svc, "c1", 30)
    release(svc, r["id"], "x")
    with credits_unchanged(admin), raises_sqlstate("MM409", message):
        admin.execute(f'update "CreditReservation" set {change} where id = %s', (r["id"],))


def test_an_active_reservation_keeps_its_amount_and_expiry(admin, svc):
    r = reserve(svc, "c1", 30)
    before = credit_snapshot(admin)
    for change in ("amount = 1", "\"expiresAt\" = now() + interval '9 days'", "\"shopId\" = 's2'"):
        with raises_sqlstate("MM409", "only status"):
            admin.execute(f'update "CreditReservation" set {change} where id = %s', (r["id"],))
    assert credit_snapshot(admin) == before


def test_reservations_are_never_deleted(admin, svc):
    r = reserve(svc, "c1", 30)
    with credits_unchanged(admin), raises_sqlstate("MM409", "cannot be deleted"):
        admin.execute('delete from "CreditReservation" where id = %s', (r["id"],))


def test_consumed_only_with_its_debit(admin, svc, connect_as):
    r = reserve(svc, "c1", 30)
    dba = connect_as("app_dba")
    before = credit_snapshot(admin)
    with raises_sqlstate("MM409", "can only be consumed by credit_consume"):
        admin.execute(
            """update "CreditReservation" set status = 'consumed', "usedAmount" = 10
               where id = %s""",
            (r["id"],),
        )
    # app_dba may not even try: "usedAmount" is not among its updatable columns
    with raises_sqlstate("42501"):
        dba.execute(
            """update "CreditReservation" set status = 'consumed', "usedAmount" = 10
               where id = %s""",
            (r["id"],),
        )
    with raises_sqlstate("MM409", "can only be consumed by credit_consume"):
        dba.execute(
            """update "CreditReservation" set status = 'consumed' where id = %s""", (r["id"],)
        )
    assert credit_snapshot(admin) == before


def test_a_direct_release_needs_a_reason(admin, svc, connect_as):
    r = reserve(svc, "c1", 30)
    dba = connect_as("app_dba")
    with credits_unchanged(admin), raises_sqlstate("MM400", "needs meta.releaseReason"):
        dba.execute(
            """update "CreditReservation" set status = 'released' where id = %s""", (r["id"],)
        )


def test_a_direct_update_is_audited_and_stamped_with_the_time(admin, svc, connect_as):
    r = reserve(svc, "c1", 30)
    dba = connect_as("app_dba")
    dba.execute(
        """update "CreditReservation" set status = 'expired',
           "releasedAt" = '2000-01-01' where id = %s""",
        (r["id"],),
    )
    done = reservation(admin, r["id"])
    # the guard stamps the real time and the reason
    assert done["releasedAt"] > done["createdAt"]
    assert done["meta"]["releaseReason"] == "expired"
    actions = scalar(
        admin, "select array_agg(action) from audit_log where entity_id = %s", (r["id"],)
    )
    assert actions == ["credit_reservation_expired"]


def test_balance_always_equals_credited_minus_debited(admin, svc):
    top_up(svc, "s1", "0.25", "pay-2")
    reserve(svc, "c1", 30)
    consume(svc, "c1", "12.75")
    w = wallet(admin, "s1")
    assert w["balance"] == Decimal("87.50") == w["total_credited"] - w["total_debited"]
    assert w["difference"] == 0
