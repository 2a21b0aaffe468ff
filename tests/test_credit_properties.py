"""Random sequences of credit operations keep every invariant (hypothesis, stateful).

A small Python model predicts each operation's outcome (result or SQLSTATE);
after every step the database must agree with the model and the ledger
invariants must hold: balance = credited - debited, available >= 0 but for late
charges (a campaign finishing after its reservation was freed), at most one
active reservation per campaign, each debit the used amount of a consumed
reservation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.support.credits import assert_ledger_consistent, backdate
from tests.support.database import one_row, rows, scalar

CENTS = Decimal("0.01")
amounts = st.decimals(min_value=CENTS, max_value=Decimal(150), places=2)
# a share of the reserved amount; one draw in four is 110%: more than reserved
percent = st.one_of(st.integers(0, 100), st.integers(0, 100), st.integers(0, 100), st.just(110))
_examples = itertools.count()


@dataclass
class Reservation:
    id: str
    shop: str
    campaign: str
    amount: Decimal
    status: str = "active"
    used: Decimal | None = None


@dataclass
class Campaign:
    shop: str
    status: str = "sending"
    credits_used: Decimal | None = None
    reservations: list[Reservation] = field(default_factory=list)

    @property
    def latest(self) -> Reservation | None:
        return self.reservations[-1] if self.reservations else None

    @property
    def active(self) -> Reservation | None:
        latest = self.latest
        return latest if latest and latest.status == "active" else None


def share(amount: Decimal, pct: int) -> Decimal:
    return (amount * pct / 100).quantize(CENTS)


class CreditMachine(RuleBasedStateMachine):
    admin: psycopg.Connection
    svc: psycopg.Connection

    campaigns = Bundle("campaigns")

    def __init__(self) -> None:
        super().__init__()
        self.prefix = f"x{next(_examples)}"
        self.shops = [f"{self.prefix}-a", f"{self.prefix}-b"]
        self.balance = dict.fromkeys(self.shops, Decimal(0))
        self.late = dict.fromkeys(self.shops, Decimal(0))
        self.references: dict[str, tuple[str, Decimal]] = {}
        self.model: dict[str, Campaign] = {}

    # -- helpers ---------------------------------------------------------------

    def available(self, shop: str) -> Decimal:
        held = sum(
            (c.active.amount for c in self.model.values() if c.shop == shop and c.active),
            Decimal(0),
        )
        return self.balance[shop] - held

    def expect_error(self, sqlstate: str, statement: str, params: tuple) -> None:
        event(f"refused {sqlstate}: {statement.split('(')[0]}")
        try:
            self.svc.execute(statement, params)
        except psycopg.Error as exc:
            assert exc.sqlstate == sqlstate, (exc.sqlstate, str(exc))
        else:
            raise AssertionError(f"expected {sqlstate} from {statement} {params}")

    # -- rules -----------------------------------------------------------------

    @initialize(opening=st.lists(amounts, min_size=2, max_size=2))
    def open_wallets(self, opening: list[Decimal]) -> None:
        for shop, amount in zip(self.shops, opening, strict=True):
            self.top_up_shop(shop, amount * 2)

    def top_up_shop(self, shop: str, amount: Decimal) -> None:
        reference = f"{self.prefix}-pay-{len(self.references)}"
        self.svc.execute("select credit_top_up(%s, %s, %s)", (shop, amount, reference))
        self.references[reference] = (shop, amount)
        self.balance[shop] += amount

    @rule(shop=st.integers(0, 1), amount=amounts)
    def top_up(self, shop: int, amount: Decimal) -> None:
        reference = f"{self.prefix}-pay-{len(self.references)}"
        self.svc.execute("select credit_top_up(%s, %s, %s)", (self.shops[shop], amount, reference))
        self.references[reference] = (self.shops[shop], amount)
        self.balance[self.shops[shop]] += amount

    @precondition(lambda self: self.references)
    @rule(data=st.data())
    def top_up_retry(self, data: st.DataObject) -> None:
        reference = data.draw(st.sampled_from(sorted(self.references)))
        shop, amount = self.references[reference]
        self.svc.execute("select credit_top_up(%s, %s, %s)", (shop, amount, reference))
        # the same payment again: a different amount is a conflict
        self.expect_error(
            "MM409", "select credit_top_up(%s, %s, %s)", (shop, amount + CENTS, reference)
        )

    @rule(target=campaigns, shop=st.integers(0, 1))
    def new_campaign(self, shop: int) -> str:
        campaign_id = f"{self.prefix}-c{len(self.model)}"
        self.admin.execute(
            """insert into "Campaign" (id, "shopId", name, status)
               values (%s, %s, 'property', 'sending')""",
            (campaign_id, self.shops[shop]),
        )
        self.model[campaign_id] = Campaign(self.shops[shop])
        return campaign_id

    @rule(campaign=campaigns, amount=amounts)
    def reserve(self, campaign: str, amount: Decimal) -> None:
        c = self.model[campaign]
        statement = "select id from credit_reserve(%s, %s)"
        if c.status != "sending":
            return self.expect_error("MM409", statement, (campaign, amount))
        if c.active:
            if c.active.amount == amount:  # a retry
                assert scalar(self.svc, statement, (campaign, amount)) == c.active.id
                return None
            return self.expect_error("MM409", statement, (campaign, amount))
        if any(r.status == "consumed" for r in c.reservations):
            return self.expect_error("MM409", statement, (campaign, amount))
        if self.available(c.shop) < amount:
            return self.expect_error("MM402", statement, (campaign, amount))
        reservation_id = scalar(self.svc, statement, (campaign, amount))
        c.reservations.append(Reservation(reservation_id, c.shop, campaign, amount))
        return None

    @rule(campaign=campaigns)
    def reserve_retry(self, campaign: str) -> None:
        c = self.model[campaign]
        if c.active and c.status == "sending":
            found = scalar(
                self.svc, "select id from credit_reserve(%s, %s)", (campaign, c.active.amount)
            )
            assert found == c.active.id

    @rule(campaign=campaigns, pct=percent)
    def consume(self, campaign: str, pct: int) -> None:
        c = self.model[campaign]
        latest = c.latest
        used = share(latest.amount, pct) if latest else Decimal(1)
        statement = "select status from credit_consume(%s, %s)"
        if latest is None:
            return self.expect_error("MM404", statement, (campaign, used))
        if latest.status == "active":
            if used > latest.amount:
                return self.expect_error("MM400", statement, (campaign, used))
            assert scalar(self.svc, statement, (campaign, used)) == "consumed"
            latest.status, latest.used = "consumed", used
            self.balance[c.shop] -= used
            return None
        if latest.status == "consumed" and latest.used == used:
            assert scalar(self.svc, statement, (campaign, used)) == "consumed"  # a retry
            return None
        return self.expect_error("MM409", statement, (campaign, used))

    @rule(campaign=campaigns)
    def release(self, campaign: str) -> None:
        latest = self.model[campaign].latest
        if latest is None:
            return None
        statement = "select status from credit_release(%s, 'property')"
        if latest.status != "active":
            return self.expect_error("MM409", statement, (latest.id,))
        assert scalar(self.svc, statement, (latest.id,)) == "released"
        latest.status = "released"
        return None

    @rule(campaign=campaigns, due=st.booleans())
    def expire(self, campaign: str, due: bool) -> None:
        latest = self.model[campaign].latest
        if latest is None:
            return None
        statement = "select status from credit_expire(%s)"
        if latest.status != "active" or not due:
            return self.expect_error("MM409", statement, (latest.id,))
        backdate(self.admin, latest.id, "49 hours")
        assert scalar(self.svc, statement, (latest.id,)) == "expired"
        latest.status = "expired"
        return None

    @rule(
        campaign=campaigns,
        status=st.sampled_from(["sent", "failed"]),
        pct=st.none() | percent,
        bypass=st.booleans(),
    )
    def finish(self, campaign: str, status: str, pct: int | None, bypass: bool) -> None:
        c = self.model[campaign]
        active = c.active
        used = None if pct is None else share(active.amount if active else Decimal(10), pct)
        statement = """update "Campaign" set status = %s, "creditsUsed" = %s where id = %s"""
        if bypass:  # by hand with triggers off: the reservation leaks
            if c.status != "sending":
                return None
            with self.admin.transaction():
                self.admin.execute("set local session_replication_role = replica")
                self.admin.execute(statement, (status, used, campaign))
            c.status, c.credits_used = status, used
            return None
        if c.status != "sending":
            if (status, used) == (c.status, c.credits_used):
                self.svc.execute(statement, (status, used, campaign))  # a retry: no change
                return None
            return self.expect_error("MM409", statement, (status, used, campaign))
        if active and used is not None and used > active.amount:
            return self.expect_error("MM400", statement, (status, used, campaign))
        freed = c.latest if c.latest and c.latest.status in ("released", "expired") else None
        if not active and freed and used and used > freed.amount:
            # A late charge never exceeds what the campaign reserved: refused, nothing charged.
            return self.expect_error("MM400", statement, (status, used, campaign))
        self.svc.execute(statement, (status, used, campaign))
        c.status, c.credits_used = status, used
        if active:
            self.settle(c, active)
        elif used and c.latest and c.latest.status in ("released", "expired"):
            # Finished after its reservation was freed: charged all the same (late charge).
            event("late charge")
            self.balance[c.shop] -= used
            self.late[c.shop] += used
        return None

    def settle(self, c: Campaign, active: Reservation) -> bool:
        if c.credits_used is None:
            active.status = "released"
            return True
        if c.credits_used > active.amount:
            return False  # cannot be charged: stays leaked, reported as an error
        active.status, active.used = "consumed", c.credits_used
        self.balance[c.shop] -= c.credits_used
        return True

    @rule()
    def reconcile(self) -> None:
        summary = scalar(self.admin, "select credit_reconcile()")
        expected_errors = 0
        for c in self.model.values():
            if c.status != "sending" and c.active and not self.settle(c, c.active):
                expected_errors += 1
        # the job is global: count only this example's reservations (earlier examples
        # may have left a leak that cannot be charged either)
        ours = {r.id for c in self.model.values() for r in c.reservations}
        errors = [e for e in summary["errors"] if e["reservationId"] in ours]
        assert len(errors) == expected_errors, summary
        assert all(e["sqlstate"] == "MM400" for e in errors), errors
        assert summary["expired"] == 0  # expiry is done by the expire rule in this model

    # -- invariants --------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        assert_ledger_consistent(self.admin)
        for shop in self.shops:
            found = rows(
                self.admin,
                'select * from monitoring.wallet_reconciliation where "shopId" = %s',
                (shop,),
            )
            if not found:
                assert self.balance[shop] == 0
                continue
            w = found[0]
            assert w["balance"] == self.balance[shop]
            # below zero only by late charges
            assert w["available"] == self.available(shop) >= -self.late[shop]
            assert w["difference"] == 0
        active = {
            r["id"]: r["amount"]
            for r in rows(
                self.admin,
                """select id, amount from "CreditReservation"
                   where status = 'active' and "shopId" = any(%s)""",
                (self.shops,),
            )
        }
        assert active == {
            c.active.id: c.active.amount for c in self.model.values() if c.active is not None
        }
        assert one_row(
            self.admin,
            """select count(*) filter (where status = 'consumed') as consumed,
                      count(*) filter (where status in ('released', 'expired')) as freed
               from "CreditReservation" where "shopId" = any(%s)""",
            (self.shops,),
        ) == {
            "consumed": sum(
                r.status == "consumed" for c in self.model.values() for r in c.reservations
            ),
            "freed": sum(
                r.status in ("released", "expired")
                for c in self.model.values()
                for r in c.reservations
            ),
        }


@pytest.mark.slow
def test_random_operation_sequences_keep_the_invariants(admin, db_url):
    with psycopg.connect(db_url, autocommit=True) as svc:
        svc.execute("set role app_credits")

        class Machine(CreditMachine):
            pass

        Machine.admin = admin
        Machine.svc = svc
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=100,
                stateful_step_count=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
                database=None,
            ),
        )
