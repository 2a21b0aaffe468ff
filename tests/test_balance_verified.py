"""The verified balance chain: a credit is posted only when its balance links to its
account's verified history (an anchor a person confirmed, and the SMS verified since).

One test per attack of issue 20, each with SMS in MTN's real wording from the operator's
sender name (spoofable), asserting that no forged SMS reaches the ledger and that the
genuine payments around it are credited; then a realistic history replayed in order
and shuffled, a dropped SMS, and the anchor function.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import (
    Phone,
    add_group,
    add_member,
    allocate,
    anchor_account,
    assert_cycles_match_ledger,
    deliver_received,
    ingest_from,
    phone_received_at,
)
from tests.support.database import scalar

MEMBER = "+250781234567"
NUMBER = "250781234567"
OTHER = "+250781234999"
ACCOUNT = "collection-phone-1"


@pytest.fixture
def member(admin: psycopg.Connection):
    group = add_group(admin)
    add_member(admin, group, OTHER, name="Other MEMBER")
    return add_member(admin, group, MEMBER).member_id


@pytest.fixture
def phone(admin: psycopg.Connection) -> Phone:
    anchored = Phone()
    anchor_account(admin, anchored, ACCOUNT)
    return anchored


def deliver(admin: psycopg.Connection, sms: str) -> int:
    return deliver_received(admin, sms, ACCOUNT)


def received_sms(amount: int, number: str, txn: str, at: datetime, balance: int) -> str:
    """MTN's money-received SMS, written at `at` (Kigali), stating `balance`."""
    return (
        f"You have received {amount} RWF from Payer NAME ({number}) on your mobile money account "
        f"at {at:%Y-%m-%d %H:%M:%S}. Message from sender: . Your new balance:{balance} RWF. "
        f"Financial Transaction Id: {txn}."
    )


def credited(admin: psycopg.Connection) -> dict[str, Decimal]:
    rows = admin.execute(
        "select txn_id, sum(amount) from contributions_ledger "
        "group by txn_id having sum(amount) > 0"
    ).fetchall()
    return dict(rows)


def outcome(admin: psycopg.Connection, inbox_id: int) -> tuple:
    row = admin.execute(
        "select outcome, last_error from momo_sms_inbox where id = %s", (inbox_id,)
    ).fetchone()
    assert row is not None
    return row


def settle(admin: psycopg.Connection) -> None:
    """Every hold that never links becomes a case (MOMO_BALANCE_CHECK_WAIT over)."""
    admin.execute("select setting_set('MOMO_BALANCE_CHECK_WAIT', '0 seconds', 'test')")
    allocate(admin)


# --- the attacks --------------------------------------------------------------------------


def test_two_forged_sms_whose_balances_link_to_each_other_are_never_credited(admin, member, phone):
    g1 = deliver(admin, phone.received(1000, NUMBER, "1001"))
    phone._tick()
    invented = 555_000
    f1 = deliver(admin, received_sms(40_000, NUMBER, "3001", phone.clock, invented))
    phone._tick()
    f2 = deliver(admin, received_sms(9_000, NUMBER, "3002", phone.clock, invented + 9_000))
    g2 = deliver(admin, phone.received(2000, NUMBER, "1002"))
    allocate(admin)
    settle(admin)

    assert credited(admin) == {"1001": Decimal("1000.00"), "1002": Decimal("2000.00")}
    assert [outcome(admin, i)[0] for i in (g1, g2)] == ["allocated"] * 2
    assert [outcome(admin, i) for i in (f1, f2)] == [("unmatched", "balance_unverified")] * 2
    verified = admin.execute(
        "select count(*) from momo_parsed_txns "
        "where inbox_id in (%s, %s) and verified_at is not null",
        (f1, f2),
    ).fetchone()
    assert verified == (0,)
    assert_cycles_match_ledger(admin)


@pytest.mark.parametrize("late", [False, True], ids=["in_time", "two_days_late_back_dated"])
def test_a_forgery_dated_a_second_before_a_real_sms_and_linking_forward_to_it_is_never_credited(
    admin, member, phone, late
):
    before = phone.balance
    real_sms = phone.received(3000, NUMBER, "1001")
    real = deliver(admin, real_sms)
    allocate(admin)
    forged_at = phone.clock - timedelta(seconds=1)
    forged_sms = received_sms(700, NUMBER, "3001", forged_at, phone.balance - 3000)
    received = phone_received_at(forged_sms)
    if late:
        received = phone_received_at(forged_sms, delay=timedelta(days=2))
    forged = ingest_from(admin, forged_sms, "M-Money", ACCOUNT, received)
    nxt = deliver(admin, phone.received(500, NUMBER, "1002"))
    allocate(admin)
    settle(admin)

    assert before + 3000 == phone.balance - 500
    assert credited(admin) == {"1001": Decimal("3000.00"), "1002": Decimal("500.00")}
    assert outcome(admin, real)[0] == outcome(admin, nxt)[0] == "allocated"
    reason = "sms_time_mismatch" if late else "balance_unverified"
    assert outcome(admin, forged) == ("unmatched", reason)
    assert (
        scalar(admin, "select reason from momo_unmatched where inbox_id = %s", (forged,)) == reason
    )


def test_the_spec_sample_wording_states_no_balance_and_is_never_credited_under_hold(
    admin, member, phone
):
    g1 = deliver(admin, phone.received(1000, NUMBER, "1001"))
    sample = (
        f"You have received RWF 4,000,000 from Payer NAME +{NUMBER} TxnID ABC123456 "
        f"on {phone.clock:%Y-%m-%d %H:%M:%S}."
    )
    forged = ingest_from(admin, sample, "M-Money", ACCOUNT, phone_received_at(sample))
    g2 = deliver(admin, phone.received(2000, NUMBER, "1002"))
    allocate(admin)

    assert credited(admin) == {"1001": Decimal("1000.00"), "1002": Decimal("2000.00")}
    assert [outcome(admin, i)[0] for i in (g1, g2)] == ["allocated"] * 2
    assert outcome(admin, forged) == ("unmatched", "balance_unverified")
    detail = scalar(admin, "select detail from momo_unmatched where inbox_id = %s", (forged,))
    assert "states no balance" in detail


def test_junk_operator_sms_around_every_real_payment_breaks_no_link(admin, member, phone):
    real, junk = [], []
    for n in range(11):
        phone._tick()
        junk.append(deliver(admin, received_sms(1, NUMBER, f"30{n:02}", phone.clock, 7 + n)))
        real.append(deliver(admin, phone.received(1000 + n, NUMBER, f"10{n:02}")))
        phone._tick()
        junk.append(
            deliver(
                admin,
                f"TxId: 40{n:02}. Your payment of 5 RWF to Shop NAME 40213 has been completed at "
                f"{phone.clock:%Y-%m-%d %H:%M:%S}. Your new balance: 3 RWF. Fee was 0 RWF.",
            )
        )
    # the phone's own next SMS (a payment out) links over the last junk too
    deliver(admin, phone.paid(300, "5001")[0])
    allocate(admin)
    settle(admin)

    assert credited(admin) == {f"10{n:02}": Decimal(1000 + n) for n in range(11)}
    assert [outcome(admin, i)[0] for i in real] == ["allocated"] * 11
    assert all(not txn.startswith("30") for txn in credited(admin))
    # the junk is what suspected_forgeries lists; no real payment is in it
    listed = {r[0] for r in admin.execute("select inbox_id from monitoring.suspected_forgeries")}
    assert listed.isdisjoint(real)
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


def test_a_copy_of_a_real_payment_naming_another_payer_arriving_first_is_never_credited(
    admin, member, phone
):
    g1 = deliver(admin, phone.received(1000, NUMBER, "1001"))
    allocate(admin)
    real_sms = phone.received(5000, NUMBER, "1002")
    copy = deliver(
        admin,
        real_sms.replace(f"({NUMBER})", f"({OTHER[1:]})").replace(
            f"balance:{phone.balance}", "balance:424242"
        ),
    )
    real = deliver(admin, real_sms)
    g3 = deliver(admin, phone.received(700, NUMBER, "1003"))
    allocate(admin)
    settle(admin)

    # the copy claimed the id first but never verified: no money went to the other payer
    assert credited(admin) == {"1001": Decimal("1000.00"), "1003": Decimal("700.00")}
    assert outcome(admin, g1)[0] == outcome(admin, g3)[0] == "allocated"
    # both are visible to a person, the real one as a conflict that names the copy
    assert outcome(admin, real) == ("unmatched", "txn_id_conflict")
    detail = scalar(admin, "select detail from momo_unmatched where inbox_id = %s", (real,))
    assert f"claimed by SMS {copy}" in detail and "was not credited" in detail
    assert outcome(admin, copy) == ("unmatched", "balance_unverified")
    assert scalar(admin, "select firing from monitoring.alerts where alert = 'suspected_forgery'")


def test_a_copy_stating_the_true_balance_is_indistinguishable_until_the_real_sms_names_it(
    admin, member, phone
):
    """A forger who knows the account's balance writes a perfect copy: it is credited, and
    the real SMS then opens a txn_id_conflict case naming the ledger entry, with an alert."""
    real_sms = phone.received(5000, NUMBER, "1002")
    copy = deliver(admin, real_sms.replace(f"({NUMBER})", f"({OTHER[1:]})"))
    allocate(admin)
    entry = scalar(admin, "select id from contributions_ledger where inbox_id = %s", (copy,))
    real = deliver(admin, real_sms)
    allocate(admin)
    assert outcome(admin, real) == ("unmatched", "txn_id_conflict")
    detail = scalar(admin, "select detail from momo_unmatched where inbox_id = %s", (real,))
    assert f"the money is in ledger entry {entry}" in detail
    assert scalar(admin, "select firing from monitoring.alerts where alert = 'suspected_forgery'")


def test_the_same_payment_delivered_twice_is_one_duplicate(admin, member, phone):
    sms = phone.received(5000, NUMBER, "1002")
    first = deliver(admin, sms)
    second = ingest_from(
        admin, sms, "M-Money", ACCOUNT, phone_received_at(sms, timedelta(seconds=40))
    )
    allocate(admin)
    assert outcome(admin, first) == ("allocated", None)
    assert outcome(admin, second) == ("duplicate", "duplicate_txn")
    assert credited(admin) == {"1002": Decimal("5000.00")}
