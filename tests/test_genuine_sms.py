"""Money is credited only when the SMS can be shown genuine: the operator sent it, its
transaction id is its own, and its balance fits the account's history.

Every test goes through the real pipeline (ingest, then momo_allocate) and asserts the
ledger, the inbox outcome and the case a person gets.
"""

from __future__ import annotations

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

MEMBER = "+250781234567"
NUMBER = "250781234567"
OPERATOR = "M-Money"
ACCOUNT = "collection-phone-1"


@pytest.fixture(autouse=True)
def shipped_senders(admin: psycopg.Connection):
    """momo_provider_senders is configuration the test reset keeps: tests that add a
    sender take it out again, so every test sees the shipped list."""
    shipped = "delete from momo_provider_senders where sender <> 'M-Money'"
    admin.execute(shipped)
    yield
    admin.execute(shipped)


@pytest.fixture
def member(admin: psycopg.Connection):
    return add_member(admin, add_group(admin), MEMBER).member_id


def outcome(admin: psycopg.Connection, inbox_id: int) -> tuple:
    row = admin.execute(
        "select outcome, last_error from momo_sms_inbox where id = %s", (inbox_id,)
    ).fetchone()
    assert row is not None
    return row


def credited(admin: psycopg.Connection) -> dict[str, Decimal]:
    """Live credits by transaction id."""
    rows = admin.execute(
        "select txn_id, sum(amount) from contributions_ledger "
        "group by txn_id having sum(amount) > 0"
    ).fetchall()
    return dict(rows)


def case(admin: psycopg.Connection, inbox_id: int) -> tuple | None:
    return admin.execute(
        "select reason, status from momo_unmatched where inbox_id = %s", (inbox_id,)
    ).fetchone()


def alert_firing(admin: psycopg.Connection, name: str) -> bool:
    row = admin.execute("select firing from monitoring.alerts where alert = %s", (name,)).fetchone()
    assert row is not None
    return row[0]


def deliver(admin: psycopg.Connection, sms: str, sender: str | None = OPERATOR) -> int:
    return ingest_from(admin, sms, sender, ACCOUNT, phone_received_at(sms))


@pytest.fixture
def phone(admin: psycopg.Connection) -> Phone:
    """The collection phone's account, its balance confirmed by a person (an anchor)."""
    anchored = Phone()
    anchor_account(admin, anchored, ACCOUNT)
    return anchored


# --- the operator sender ------------------------------------------------------------------


def test_a_you_have_received_sms_texted_from_an_ordinary_phone_is_never_credited(
    admin, member, make_app
):
    forged = (
        f"You have received 5000000 RWF from Payer NAME ({NUMBER}) on your mobile money account "
        "at 2024-10-20 11:02:13. Message from sender: . Your new balance:5000100 RWF. "
        "Financial Transaction Id: 51234098111."
    )
    response = (
        make_app()
        .test_client()
        .post(
            "/functions/v1/momo-sms-hook",
            json={"message": forged, "msisdn": "+250781234567", "ingestSource": ACCOUNT},
        )
    )
    assert response.status_code == 200
    inbox_id = int(response.get_json()["inboxId"])

    allocate(admin)

    assert credited(admin) == {}
    assert outcome(admin, inbox_id) == ("unmatched", "sender_not_operator")
    assert case(admin, inbox_id) == ("sender_not_operator", "open")
    # it claims no transaction id: the genuine payment with that id can still come
    claims = admin.execute("select count(*) from momo_parsed_txns where txn_id is not null")
    assert claims.fetchone() == (0,)
    suspected = admin.execute(
        "select inbox_id, sender, reason from monitoring.suspected_forgeries"
    ).fetchall()
    assert suspected == [(inbox_id, "+250781234567", "sender_not_operator")]
    assert alert_firing(admin, "suspected_forgery")


def test_the_operator_sender_is_matched_whatever_its_case_and_spaces(admin, member, phone):
    ids = [deliver(admin, phone.received(100, NUMBER, f"200{i}"), " m-money ") for i in range(2)]
    allocate(admin)
    assert [outcome(admin, i) for i in ids] == [("allocated", None)] * 2


def test_an_sms_without_a_sender_is_a_case_unless_the_setting_allows_it(admin, member, phone):
    # (a text that moved no money: a sender-less SMS is not genuine, so it is no part of
    # the account's history either)
    first = deliver(admin, phone.forged(100, NUMBER, "2001", balance=phone.balance), sender=None)
    allocate(admin)
    assert outcome(admin, first) == ("unmatched", "sender_unknown")
    assert credited(admin) == {}

    admin.execute("select setting_set('MOMO_ALLOCATOR_REQUIRE_SENDER', 'false', 'test')")
    second = deliver(admin, phone.received(200, NUMBER, "2002"), sender=None)
    third = deliver(admin, phone.received(300, NUMBER, "2003"), sender=None)
    allocate(admin)
    assert outcome(admin, second) == ("allocated", None)
    assert outcome(admin, third) == ("allocated", None)


def test_a_dba_adds_an_operator_sender_and_the_change_is_audited(admin, connect_as):
    dba = connect_as("app_dba")
    dba.execute(
        "insert into momo_provider_senders (provider, sender, description) "
        "values ('mtn_rw', 'MTN MoMo', 'second sender name seen on newer phones')"
    )
    dba.execute("delete from momo_provider_senders where sender = 'MTN MoMo'")
    audit = admin.execute(
        "select action, actor, entity_id from audit_log "
        "where entity = 'momo_provider_senders' order by id"
    ).fetchall()
    login = admin.execute("select session_user").fetchone()[0]
    assert audit == [
        ("momo_provider_senders.insert", login, "mtn_rw/MTN MoMo"),
        ("momo_provider_senders.delete", login, "mtn_rw/MTN MoMo"),
    ]


def test_an_analyst_cannot_change_the_operator_senders(admin, connect_as):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connect_as("app_analyst").execute(
            "insert into momo_provider_senders (provider, sender, description) "
            "values ('mtn_rw', '+250781234567', 'attacker')"
        )
    assert admin.execute("select count(*) from momo_provider_senders").fetchone() == (2,)


# --- transaction-id claims ----------------------------------------------------------------


def test_junk_naming_a_transaction_id_first_cannot_swallow_the_genuine_payment(
    admin, member, phone
):
    junk = deliver(admin, "hello TxId: 51234098111", sender="+250788999999")
    allocate(admin)
    assert outcome(admin, junk) == ("unmatched", "low_confidence")

    before = deliver(admin, phone.received(1000, NUMBER, "51234098110"))
    genuine = deliver(admin, phone.received(5000, NUMBER, "51234098111"))
    after = deliver(admin, phone.received(700, NUMBER, "51234098112"))
    allocate(admin)
    assert outcome(admin, genuine) == ("allocated", None)
    assert credited(admin) == {
        "51234098110": Decimal("1000.00"),
        "51234098111": Decimal("5000.00"),
        "51234098112": Decimal("700.00"),
    }
    assert [outcome(admin, i) for i in (before, after)] == [("allocated", None)] * 2


def test_the_same_id_with_another_amount_is_a_conflict_for_a_person(admin, member, phone):
    deliver(admin, phone.received(1000, NUMBER, "2001"))
    deliver(admin, phone.received(5000, NUMBER, "2002"))
    allocate(admin)
    other = Phone(balance=phone.balance)
    other.clock = phone.clock
    clash = deliver(admin, other.received(9000, NUMBER, "2002"))
    allocate(admin)
    assert outcome(admin, clash) == ("unmatched", "txn_id_conflict")
    assert case(admin, clash) == ("txn_id_conflict", "open")
    assert credited(admin) == {"2001": Decimal("1000.00"), "2002": Decimal("5000.00")}
    detail = admin.execute(
        "select detail from momo_unmatched where inbox_id = %s", (clash,)
    ).fetchone()[0]
    assert "2002" in detail and "another amount, kind, time, payer or balance" in detail


def test_one_payment_notified_in_two_templates_is_a_duplicate_and_leaves_no_gap(
    admin, member, phone
):
    deliver(admin, phone.received(1000, NUMBER, "2001"))
    txid_first, plain = phone.paid(400, "4001")
    first = deliver(admin, txid_first)
    second = deliver(admin, plain)
    last = deliver(admin, phone.received(600, NUMBER, "2002"))
    allocate(admin)
    assert outcome(admin, first) == ("skipped", "skipped_money_out")
    assert outcome(admin, second) == ("duplicate", "duplicate_txn")
    assert outcome(admin, last) == ("allocated", None)
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


# --- the balance chain --------------------------------------------------------------------


def test_a_forged_operator_sms_whose_balance_does_not_chain_is_held_then_a_case(
    admin, member, phone
):
    g1 = deliver(admin, phone.received(1000, NUMBER, "1001"))
    g2 = deliver(admin, phone.received(2000, NUMBER, "1002"))
    forged = deliver(admin, phone.forged(50_000, NUMBER, "3001", balance=987_654))
    g3 = deliver(admin, phone.received(3000, NUMBER, "1003"))
    g4 = deliver(admin, phone.received(4000, NUMBER, "1004"))
    allocate(admin)

    assert [outcome(admin, i) for i in (g1, g2, g3, g4)] == [("allocated", None)] * 4
    assert outcome(admin, forged) == ("held", "balance_unverified")
    assert "3001" not in credited(admin)
    held = admin.execute("select inbox_id, amount from monitoring.balance_holds").fetchall()
    assert held == [(forged, Decimal("50000.00"))]
    assert case(admin, forged) is None

    # Later runs re-examine it; it never links.
    allocate(admin)
    assert outcome(admin, forged) == ("held", "balance_unverified")

    # MOMO_BALANCE_CHECK_WAIT passes without a link: a case for a person, never a credit.
    admin.execute("select setting_set('MOMO_BALANCE_CHECK_WAIT', '0 seconds', 'test')")
    allocate(admin)
    assert outcome(admin, forged) == ("unmatched", "balance_unverified")
    assert case(admin, forged) == ("balance_unverified", "open")
    assert set(credited(admin)) == {"1001", "1002", "1003", "1004"}
    assert admin.execute("select count(*) from monitoring.balance_holds").fetchone() == (0,)
    assert (forged, "balance_unverified") in admin.execute(
        "select inbox_id, reason from monitoring.suspected_forgeries"
    ).fetchall()
    # its genuine neighbours link over it: no money is unexplained, so no gap
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)
    assert_cycles_match_ledger(admin)


def test_a_withheld_sms_opens_a_gap_with_the_exact_missing_amount_that_closes_when_it_arrives(
    admin, member, phone
):
    g1 = deliver(admin, phone.received(1000, NUMBER, "1001"))
    g2 = deliver(admin, phone.received(2000, NUMBER, "1002"))
    withheld = phone.received(3500, NUMBER, "1003")
    g4 = deliver(admin, phone.received(4000, NUMBER, "1004"))
    allocate(admin)

    # G4 neither links back (G3 is missing) nor forward (nothing after it yet)
    assert outcome(admin, g4) == ("held", "balance_unverified")
    gaps = admin.execute(
        "select before_inbox_id, after_inbox_id, balance_after_before, balance_before_after, "
        "missing_amount from monitoring.balance_gaps"
    ).fetchall()
    assert gaps == [(g2, g4, Decimal("102900.00"), Decimal("106400.00"), Decimal("3500.00"))]
    assert alert_firing(admin, "balance_gap")

    # the next SMS links to G4, but G4 is not verified: a link to an unverified SMS
    # verifies nothing, so both wait for the missing SMS (or a person's anchor)
    g5 = deliver(admin, phone.received(500, NUMBER, "1005"))
    allocate(admin)
    assert outcome(admin, g4) == ("held", "balance_unverified")
    assert outcome(admin, g5) == ("held", "balance_unverified")

    # the gateway's retry delivers G3: it links both ways and the gap is gone
    g3 = deliver(admin, withheld)
    allocate(admin)
    assert [outcome(admin, i) for i in (g3, g4, g5)] == [("allocated", None)] * 3
    releases = admin.execute(
        "select release from momo_balance_holds where inbox_id in (%s, %s)", (g4, g5)
    ).fetchall()
    assert releases == [("verified",), ("verified",)]
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)
    assert not alert_firing(admin, "balance_gap")
    assert credited(admin) == {
        "1001": Decimal("1000.00"),
        "1002": Decimal("2000.00"),
        "1003": Decimal("3500.00"),
        "1004": Decimal("4000.00"),
        "1005": Decimal("500.00"),
    }
    assert g1 < g2 < g4 < g5 < g3
    assert_cycles_match_ledger(admin)


def test_a_bundle_purchase_without_a_balance_is_explained_between_two_balances(
    admin, member, phone
):
    deliver(admin, phone.received(1000, NUMBER, "1001"))
    bundle, received_at = phone.bundle(2000)
    ingest_from(admin, bundle, OPERATOR, ACCOUNT, received_at)
    g2 = deliver(admin, phone.received(3000, NUMBER, "1002"))
    allocate(admin)
    assert outcome(admin, g2) == ("allocated", None)
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


def test_balances_of_two_collection_phones_are_separate_chains(admin, member):
    one, two = Phone(balance=10_000), Phone(balance=70_000)
    anchor_account(admin, one, "phone-a")
    anchor_account(admin, two, "phone-b")
    a = deliver_received(admin, one.received(100, NUMBER, "7001"), "phone-a")
    b = deliver_received(admin, two.received(200, NUMBER, "8001"), "phone-b")
    a2 = deliver_received(admin, one.received(300, NUMBER, "7002"), "phone-a")
    b2 = deliver_received(admin, two.received(400, NUMBER, "8002"), "phone-b")
    allocate(admin)
    assert [outcome(admin, i)[0] for i in (a, b, a2, b2)] == ["allocated"] * 4
    assert admin.execute("select count(*) from monitoring.balance_gaps").fetchone() == (0,)


def test_with_flag_an_unlinked_credit_is_allocated_and_reported(admin, member):
    admin.execute("select setting_set('MOMO_BALANCE_CHECK', 'flag', 'test')")
    lonely = deliver(admin, Phone().received(1000, NUMBER, "5001"))
    allocate(admin)
    assert outcome(admin, lonely) == ("allocated", None)
    reported = admin.execute(
        "select inbox_id, reason, ledger_id is not null from monitoring.suspected_forgeries"
    ).fetchall()
    assert reported == [(lonely, "balance_unverified_credited", True)]


def test_switching_the_check_off_releases_what_it_held(admin, member):
    lonely = deliver(admin, Phone().received(1000, NUMBER, "5001"))
    allocate(admin)
    assert outcome(admin, lonely) == ("held", "balance_unverified")
    admin.execute("select setting_set('MOMO_BALANCE_CHECK', 'off', 'test')")
    allocate(admin)
    assert outcome(admin, lonely) == ("allocated", None)
    assert credited(admin) == {"5001": Decimal("1000.00")}


def test_the_check_mode_is_one_of_hold_flag_off(admin):
    with pytest.raises(psycopg.errors.CheckViolation):
        admin.execute("select setting_set('MOMO_BALANCE_CHECK', 'maybe', 'test')")
    mode = admin.execute("select value from app_settings where key = 'MOMO_BALANCE_CHECK'")
    assert mode.fetchone() == ("hold",)


# --- amount sanity ------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["4000001", "9999999999999999.99"])
def test_an_amount_above_the_limit_is_a_case_and_the_groups_next_payment_allocates(
    admin, member, amount, phone
):
    deliver(admin, phone.received(1000, NUMBER, "1001"))
    huge = (
        f"You have received {amount} RWF from Payer NAME ({NUMBER}) on your mobile money account "
        f"at 2024-10-20 08:01:30. Message from sender: . Your new balance:{amount} RWF. "
        "Financial Transaction Id: 9001."
    )
    big = deliver(admin, huge)
    allocate(admin)
    assert outcome(admin, big) == ("unmatched", "amount_above_limit")
    assert case(admin, big) == ("amount_above_limit", "open")

    nxt = deliver(admin, phone.received(2000, NUMBER, "1002"))
    deliver(admin, phone.received(100, NUMBER, "1003"))
    allocate(admin)
    assert outcome(admin, nxt) == ("allocated", None)
    assert "9001" not in credited(admin)
    assert_cycles_match_ledger(admin)


def test_the_amount_limit_is_a_setting(admin, member, phone):
    admin.execute("select setting_set('MOMO_ALLOCATOR_MAX_AMOUNT', '500', 'test')")
    small = deliver(admin, phone.received(400, NUMBER, "6001"))
    large = deliver(admin, phone.received(600, NUMBER, "6002"))
    deliver(admin, phone.received(100, NUMBER, "6003"))
    allocate(admin)
    assert outcome(admin, small) == ("allocated", None)
    assert outcome(admin, large) == ("unmatched", "amount_above_limit")


def test_after_a_dba_adds_a_new_operator_sender_the_sms_is_requeued_and_credited(
    admin, member, connect_as, phone
):
    ids = [deliver(admin, phone.received(100 * i, NUMBER, f"70{i}"), "MTN MoMo") for i in (1, 2)]
    allocate(admin)
    assert [outcome(admin, i) for i in ids] == [("unmatched", "sender_not_operator")] * 2

    dba = connect_as("app_dba")
    dba.execute(
        "insert into momo_provider_senders (provider, sender, description) "
        "values ('mtn_rw', 'MTN MoMo', 'new sender name, confirmed with MTN')"
    )
    for inbox_id in ids:
        dba.execute("select momo_sms_requeue(%s, 'sender confirmed with MTN')", (inbox_id,))
    allocate(admin)
    assert [outcome(admin, i) for i in ids] == [("allocated", None)] * 2
    assert credited(admin) == {"701": Decimal("100.00"), "702": Decimal("200.00")}


def test_a_held_sms_cannot_be_requeued(admin, member, connect_as):
    held = deliver(admin, Phone().received(1000, NUMBER, "801"))
    allocate(admin)
    assert outcome(admin, held) == ("held", "balance_unverified")
    with pytest.raises(psycopg.Error, match="is held until its balance links") as info:
        connect_as("app_dba").execute("select momo_sms_requeue(%s, 'impatient')", (held,))
    assert info.value.sqlstate == "MM409"
    assert outcome(admin, held) == ("held", "balance_unverified")


def test_a_balance_unverified_case_can_be_requeued_once_the_check_is_relaxed(
    admin, member, connect_as
):
    lonely = deliver(admin, Phone().received(1000, NUMBER, "901"))
    admin.execute("select setting_set('MOMO_BALANCE_CHECK_WAIT', '0 seconds', 'test')")
    allocate(admin)
    allocate(admin)
    assert outcome(admin, lonely) == ("unmatched", "balance_unverified")
    admin.execute("select setting_set('MOMO_BALANCE_CHECK', 'flag', 'test')")
    connect_as("app_dba").execute(
        "select momo_sms_requeue(%s, 'payment confirmed on the statement')", (lonely,)
    )
    allocate(admin)
    assert outcome(admin, lonely) == ("allocated", None)
    assert credited(admin) == {"901": Decimal("1000.00")}
