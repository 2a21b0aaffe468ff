"""The verified balance chain: a credit is posted only when its balance links to its
account's verified history (an anchor a person confirmed, and the SMS verified since).

One test per attack of issue 20, each with SMS in MTN's real wording from the operator's
sender name (spoofable), asserting that no forged SMS reaches the ledger and that the
genuine payments around it are credited; then a realistic history replayed in order
and shuffled, a dropped SMS, and the anchor function.
"""

from __future__ import annotations

import random
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
from tests.support.operations import refused_changes_nothing

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
        "select count(*) from momo_balance_history as h "
        "join momo_parsed_txns as p on h.parsed_id = p.id where p.inbox_id in (%s, %s)",
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


# --- holds end as soon as they can ---------------------------------------------------------


def test_a_payment_out_that_links_a_held_credit_releases_it_in_the_same_run(admin, member, phone):
    out_sms = phone.paid(2500, "4001")[0]
    credit = deliver(admin, phone.received(1000, NUMBER, "1001"))
    allocate(admin)
    assert outcome(admin, credit) == ("held", "balance_unverified")

    # the payment out, written before the credit, arrives: one run posts the credit
    deliver(admin, out_sms)
    allocate(admin)
    assert outcome(admin, credit) == ("allocated", None)
    release = scalar(admin, "select release from momo_balance_holds where inbox_id = %s", (credit,))
    assert release == "verified"


def test_a_bundle_notified_twice_counts_once(admin, member, phone):
    yello, payment = phone.bundle_bought(2000, "14012345679")
    deliver(admin, payment)
    ingest_from(admin, yello, "M-Money", ACCOUNT, phone_received_at(payment, timedelta(seconds=50)))
    credit = deliver(admin, phone.received(3000, NUMBER, "1001"))
    allocate(admin)
    assert outcome(admin, credit) == ("allocated", None)
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


def test_a_transfer_stating_no_balance_and_a_bundle_pair_between_two_balances_link(
    admin, member, phone
):
    """The transfer's money is needed to link the next balance, the Yello SMS's is not."""
    phone._tick()
    phone.balance -= 5000
    transfer = (
        f"You have transferred 5000 RWF to Eric HABIMANA (250781234567) from your mobile money "
        f"account 20070000001 imbank.bank at {phone.clock:%Y-%m-%d %H:%M:%S}. Your new balance: . "
        "Message from sender: . Message to receiver: . Financial Transaction Id: 27800011122."
    )
    yello, payment = phone.bundle_bought(2000, "14012345679")
    deliver(admin, transfer)
    ingest_from(
        admin, yello, "M-Money", ACCOUNT, phone_received_at(payment, timedelta(seconds=-20))
    )
    deliver(admin, payment)
    credit = deliver(admin, phone.received(3000, NUMBER, "1001"))
    allocate(admin)
    assert outcome(admin, credit) == ("allocated", None)
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


def replay(admin: psycopg.Connection, seed: int, shuffle: bool) -> None:
    """A collection phone's day in MTN's wording: payments in from a member, payments out
    notified in two templates, bundles notified twice. Delivered one SMS per allocator run
    in arrival order: the time written plus 20 s, or (shuffle) plus 6 s to 5 minutes."""
    rng = random.Random(seed)
    phone = Phone()
    anchor_account(admin, phone, ACCOUNT)
    sent: list[tuple[datetime, str, bool]] = []  # (written, sms, is a credit)
    for n in range(45):
        kind = rng.random()
        if kind < 0.6:
            sent.append((phone.clock, phone.received(500 + 100 * n, NUMBER, f"1{n:03}"), True))
            sent[-1] = (phone.clock, sent[-1][1], True)
        elif kind < 0.8:
            for sms in phone.paid(100 + 10 * n, f"4{n:03}"):
                sent.append((phone.clock, sms, False))
        else:
            for sms in phone.bundle_bought(1000, f"5{n:03}"):
                sent.append((phone.clock, sms, False))
    arrivals = sorted(
        (written + timedelta(seconds=rng.uniform(6, 300) if shuffle else 20), k)
        for k, (written, _, _) in enumerate(sent)
    )
    arrived: set[int] = set()
    inbox: dict[int, int] = {}
    for at, k in arrivals:
        received = (at - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        inbox[k] = ingest_from(admin, sent[k][1], "M-Money", ACCOUNT, received)
        arrived.add(k)
        allocate(admin)
        # a credit is held only while an SMS written before it has not arrived yet
        held = {r[0] for r in admin.execute("select inbox_id from monitoring.balance_holds")}
        for j, inbox_id in inbox.items():
            if inbox_id in held:
                assert any(sent[m][0] < sent[j][0] for m in range(len(sent)) if m not in arrived), (
                    seed,
                    j,
                )
    credits = [inbox[k] for k, (_, _, credit) in enumerate(sent) if credit]
    assert [outcome(admin, i) for i in credits] == [("allocated", None)] * len(credits)
    assert admin.execute("select count(*) from momo_unmatched").fetchone() == (0,)
    assert admin.execute("select count(*) from monitoring.balance_holds").fetchone() == (0,)
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)
    assert admin.execute("select count(*) from monitoring.suspected_forgeries").fetchone() == (0,)
    assert_cycles_match_ledger(admin)


def test_a_real_history_in_time_order_credits_every_payment_at_once(admin, member):
    replay(admin, seed=20, shuffle=False)
    assert admin.execute("select count(*) from momo_balance_holds").fetchone() == (0,)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_real_history_arriving_shuffled_within_5_minutes_holds_nothing_for_nothing(
    admin, member, seed
):
    replay(admin, seed=seed, shuffle=True)


# --- a dropped SMS ------------------------------------------------------------------------


def test_after_a_dropped_sms_genuine_credits_wait_forgeries_never_pass_and_the_gap_closes(
    admin, member, phone
):
    g1 = deliver(admin, phone.received(1000, NUMBER, "1001"))
    dropped = phone.received(3500, NUMBER, "1002")
    g3 = deliver(admin, phone.received(4000, NUMBER, "1003"))
    phone._tick()
    # a forger's pair linking to each other, and one linking forward to G4
    f1 = deliver(admin, received_sms(9000, NUMBER, "3001", phone.clock, 123_000))
    f2 = deliver(admin, received_sms(1000, NUMBER, "3002", phone.clock, 124_000))
    g4 = deliver(admin, phone.received(500, NUMBER, "1004"))
    allocate(admin)

    assert outcome(admin, g1) == ("allocated", None)
    assert [outcome(admin, i)[0] for i in (g3, g4, f1, f2)] == ["held"] * 4
    gap = admin.execute(
        "select before_inbox_id, after_inbox_id, missing_amount from monitoring.balance_gaps"
    ).fetchall()
    assert gap == [(g1, g3, Decimal("3500.00"))]

    g2 = deliver(admin, dropped)
    allocate(admin)
    settle(admin)
    assert [outcome(admin, i)[0] for i in (g2, g3, g4)] == ["allocated"] * 3
    assert [outcome(admin, i) for i in (f1, f2)] == [("unmatched", "balance_unverified")] * 2
    assert set(credited(admin)) == {"1001", "1002", "1003", "1004"}
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


# --- anchors ------------------------------------------------------------------------------


def test_a_new_account_waits_for_an_anchor_which_a_dba_confirms_and_which_is_audited(
    admin, member, connect_as
):
    fresh = Phone()
    first = deliver(admin, fresh.received(1000, NUMBER, "1001"))
    second = deliver(admin, fresh.received(2000, NUMBER, "1002"))
    allocate(admin)
    # two SMS that link to each other verify nothing on their own
    assert [outcome(admin, i)[0] for i in (first, second)] == ["held"] * 2

    anchored = connect_as("app_dba").execute(
        "select inbox_id, verified_how from balance_anchor_confirm(%s, %s)",
        (first, "MoMo statement on the phone shows 101,000 after this payment"),
    )
    assert anchored.fetchone() == (first, "anchor")
    # released at once, without an allocator run
    assert [outcome(admin, i) for i in (first, second)] == [("allocated", None)] * 2
    assert credited(admin) == {"1001": Decimal("1000.00"), "1002": Decimal("2000.00")}
    audit = admin.execute(
        "select action, entity, reason, after ->> 'inbox_id', after ->> 'verified_how' "
        "from audit_log where action = 'balance_anchor_confirm'"
    ).fetchall()
    assert audit == [
        (
            "balance_anchor_confirm",
            "momo_balance_history",
            "MoMo statement on the phone shows 101,000 after this payment",
            str(first),
            "anchor",
        )
    ]


def test_an_analyst_cannot_confirm_an_anchor(admin, member, connect_as):
    held = deliver(admin, Phone().received(1000, NUMBER, "1001"))
    allocate(admin)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connect_as("app_analyst").execute(
            "select balance_anchor_confirm(%s, 'not mine to say')", (held,)
        )
    assert outcome(admin, held) == ("held", "balance_unverified")
    assert scalar(admin, "select count(*) from audit_log") == 0


@pytest.mark.parametrize(
    ("target", "reason", "sqlstate", "match"),
    [
        ("anchor", None, "MM400", "a reason is required"),
        ("anchor", "  ", "MM400", "a reason is required"),
        ("unknown", "checked", "MM404", "has no parse"),
        ("no_balance", "checked", "MM409", "cannot anchor"),
        ("forged_sender", "checked", "MM409", "cannot anchor"),
        ("anchor", "checked", "MM409", "already an anchor"),
    ],
)
def test_a_bad_anchor_is_refused_and_changes_nothing(
    admin, member, connect_as, target, reason, sqlstate, match
):
    fresh = Phone()
    ids = {
        "anchor": anchor_account(admin, fresh, ACCOUNT),
        "no_balance": deliver(
            admin,
            f"You have received RWF 4,000 from Payer NAME +{NUMBER} TxnID ABC1 "
            f"on {fresh.clock:%Y-%m-%d %H:%M:%S}.",
        ),
        "forged_sender": ingest_from(
            admin, fresh.received(700, NUMBER, "1009"), "+250788000000", ACCOUNT
        ),
        "unknown": 999_999,
    }
    allocate(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        "select balance_anchor_confirm(%s, %s)",
        (ids[target], reason),
        sqlstate,
        match,
    )


# --- monitoring ---------------------------------------------------------------------------


def test_suspected_forgeries_never_lists_an_sms_verified_since(admin, member, phone):
    """Under flag, a credit that did not link yet is posted and listed; once the SMS
    before it arrives and it is verified, it is no longer a suspect."""
    admin.execute("select setting_set('MOMO_BALANCE_CHECK', 'flag', 'test')")
    first = phone.received(1000, NUMBER, "1001")
    second = deliver(admin, phone.received(2000, NUMBER, "1002"))
    allocate(admin)
    listed = admin.execute("select inbox_id, reason from monitoring.suspected_forgeries")
    assert listed.fetchall() == [(second, "balance_unverified_credited")]

    deliver(admin, first)
    allocate(admin)
    assert admin.execute("select count(*) from monitoring.suspected_forgeries").fetchone() == (0,)
    assert credited(admin) == {"1001": Decimal("1000.00"), "1002": Decimal("2000.00")}


@pytest.mark.parametrize("value", ["soon", "2 days", "0 seconds"])
def test_the_time_window_must_be_an_interval_of_a_second_to_a_day(admin, value):
    with pytest.raises(psycopg.Error) as info:
        admin.execute("select setting_set('MOMO_BALANCE_TIME_WINDOW', %s, 'test')", (value,))
    assert info.value.sqlstate in ("MM400", "23514"), info.value.sqlstate
    window = scalar(admin, "select value from app_settings where key = 'MOMO_BALANCE_TIME_WINDOW'")
    assert window == "10 minutes"
    assert scalar(admin, "select count(*) from audit_log") == 0
