"""unmatched_resolve(): dismiss or allocate manually to an active member, once; audited."""

from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import add_group, add_member
from tests.support.database import one_row, rows, scalar
from tests.support.operations import craft_case, refused_changes_nothing, scenario

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

RESOLVE = "select * from unmatched_resolve(%s, %s, %s)"
RESOLVE_AMOUNT = "select * from unmatched_resolve(%s, %s, %s, %s)"


def test_resolve_without_member_dismisses_the_case(admin, connect_as):
    s = scenario(admin)
    case = one_row(connect_as("app_dba"), RESOLVE, (s.case_id, "test payment by the bank", None))
    assert case["status"] == "resolved"
    assert case["resolution"] == "dismissed"
    assert case["resolution_note"] == "test payment by the bank"
    assert case["resolved_by"] == scalar(admin, "select session_user")
    assert case["resolved_at"] is not None
    assert case["ledger_id"] is None
    assert scalar(admin, "select count(*) from contributions_ledger where source = 'manual'") == 0
    [audit] = rows(admin, "select * from audit_log")
    assert (audit["action"], audit["entity"], audit["entity_id"]) == (
        "unmatched_resolve",
        "momo_unmatched",
        str(s.case_id),
    )
    assert audit["before"]["case"]["status"] == "open"
    assert audit["after"]["case"]["resolution"] == "dismissed"
    assert audit["after"]["ledger_entry"] is None


def test_resolve_with_member_allocates_manually_and_records_the_ledger_id(admin, connect_as):
    s = scenario(admin)
    case = one_row(
        connect_as("app_dba"), RESOLVE, (s.case_id, "Eric paid for Aline", s.other.member_id)
    )
    entry = one_row(admin, "select * from contributions_ledger where source = 'manual'")
    assert case["resolution"] == "allocated"
    assert case["ledger_id"] == entry["id"]
    assert entry["member_id"] == s.other.member_id
    assert entry["ikimina_id"] == s.other.ikimina_id
    assert entry["amount"] == Decimal("5000.00")
    assert entry["currency"] == "RWF"
    assert entry["txn_id"] == "TXU1"
    assert entry["cycle_yyyymm"] == 202501
    assert entry["inbox_id"] == s.unmatched_inbox_id
    assert entry["parsed_id"] == scalar(
        admin, "select id from momo_parsed_txns where inbox_id = %s", (s.unmatched_inbox_id,)
    )
    assert entry["meta"]["case_id"] == s.case_id
    # Cycle: 12,000 by SMS plus 5,000 by hand, equal to the ledger.
    assert scalar(admin, "select collected_amount from contribution_cycles") == Decimal("17000.00")
    [audit] = rows(admin, "select * from audit_log")
    assert audit["reason"] == "Eric paid for Aline"
    assert audit["after"]["ledger_entry"]["id"] == entry["id"]
    assert audit["before"]["cycle"]["collected_amount"] == 12000
    assert audit["after"]["cycle"]["collected_amount"] == 17000


def test_resolving_twice_is_refused_and_changes_nothing(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute(RESOLVE, (s.case_id, "Eric paid for Aline", s.other.member_id))
    refused_changes_nothing(
        admin,
        dba,
        RESOLVE,
        (s.case_id, "again", s.member.member_id),
        "MM409",
        "already resolved \\(allocated\\)",
    )
    refused_changes_nothing(
        admin, dba, RESOLVE, (s.case_id, "dismiss it", None), "MM409", "already resolved"
    )


@pytest.mark.parametrize("note", [None, "", "  "])
def test_resolving_without_a_note_is_refused(admin, connect_as, note):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (s.case_id, note, None),
        "MM400",
        "a note is required",
    )


def test_resolving_an_unknown_case_is_refused(admin, connect_as):
    scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (424242, "note", None),
        "MM404",
        "424242 does not exist",
    )


def test_resolving_to_an_unknown_member_is_refused(admin, connect_as):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (s.case_id, "note", "00000000-0000-0000-0000-000000000001"),
        "MM404",
        "member .* does not exist",
    )


@pytest.mark.parametrize("status", ["inactive", "suspended", "left"])
def test_resolving_to_a_member_who_is_not_active_is_refused(admin, connect_as, status):
    s = scenario(admin)
    gone = add_member(admin, s.member.ikimina_id, "+250788000055", "Gone", status=status)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (s.case_id, "note", gone.member_id),
        "MM422",
        f"is {status}: only active members",
    )


def test_a_transaction_already_in_the_ledger_is_never_allocated_twice(admin, connect_as):
    s = scenario(admin)
    # Someone already booked transaction TXU1 by other means.
    admin.execute(
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "txn_id, source) values (%s, %s, 5000, 'RWF', 202501, 'TXU1', 'manual')",
        (s.member.ikimina_id, s.member.member_id),
    )
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (s.case_id, "Eric paid for Aline", s.other.member_id),
        "MM409",
        "already in the ledger as entry",
    )


def test_an_sms_already_in_the_ledger_is_never_allocated_twice(admin, connect_as):
    s = scenario(admin)
    admin.execute(
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "source, inbox_id) values (%s, %s, 5000, 'RWF', 202501, 'manual', %s)",
        (s.member.ikimina_id, s.member.member_id, s.unmatched_inbox_id),
    )
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (s.case_id, "note", s.other.member_id),
        "MM409",
        f"payment of SMS {s.unmatched_inbox_id} is already in the ledger",
    )


def test_an_unreadable_amount_must_be_given_and_is_then_allocated(admin, connect_as):
    s = scenario(admin)
    _, case_id = craft_case(admin, "amount_unavailable", txn_id="TXNA")
    dba = connect_as("app_dba")
    refused_changes_nothing(
        admin,
        dba,
        RESOLVE,
        (case_id, "note", s.other.member_id),
        "MM422",
        "amount of SMS .* unknown",
    )
    case = one_row(dba, RESOLVE_AMOUNT, (case_id, "read 3,000", s.other.member_id, Decimal(3000)))
    entry = one_row(admin, "select * from contributions_ledger where id = %s", (case["ledger_id"],))
    assert entry["amount"] == Decimal("3000.00")
    assert entry["txn_id"] == "TXNA"
    assert entry["cycle_yyyymm"] == 202502


def test_a_parsed_amount_cannot_be_overridden(admin, connect_as):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE_AMOUNT,
        (s.case_id, "note", s.other.member_id, Decimal(7000)),
        "MM400",
        "parsed amount cannot be overridden",
    )


@pytest.mark.parametrize("amount", [Decimal(0), Decimal(-5)])
def test_a_non_positive_amount_is_refused(admin, connect_as, amount):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE_AMOUNT,
        (s.case_id, "note", s.other.member_id, amount),
        "MM400",
        "amount must be positive",
    )


def test_an_amount_without_a_member_is_refused(admin, connect_as):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE_AMOUNT,
        (s.case_id, "note", None, Decimal(5000)),
        "MM400",
        "only makes sense with a member",
    )


def test_a_payment_in_another_currency_than_the_group_is_refused(admin, connect_as):
    s = scenario(admin)
    dollar_group = add_group(admin, "Dollar savers", "USD")
    dollar_member = add_member(admin, dollar_group, "+250788000077", "Paul")
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (s.case_id, "note", dollar_member.member_id),
        "MM422",
        "is in RWF but group Dollar savers keeps its ledger in USD",
    )


def test_a_dead_letter_without_parse_is_allocated_with_the_amount_given(admin, connect_as):
    s = scenario(admin)
    inbox_id, case_id = craft_case(admin, "dead_letter", parsed=False)
    case = one_row(
        connect_as("app_dba"),
        RESOLVE_AMOUNT,
        (case_id, "read the SMS: 2,500 from Aline", s.other.member_id, Decimal(2500)),
    )
    entry = one_row(admin, "select * from contributions_ledger where id = %s", (case["ledger_id"],))
    assert (entry["source"], entry["amount"], entry["txn_id"]) == ("manual", Decimal(2500), None)
    assert (entry["inbox_id"], entry["parsed_id"]) == (inbox_id, None)
    assert entry["cycle_yyyymm"] == 202502  # from received_at in Africa/Kigali


def test_a_case_locked_by_another_session_is_refused_at_once(admin, connect_as, db_url):
    s = scenario(admin)
    first = connect_as("app_dba")
    second = connect_as("app_dba")
    with first.transaction():
        first.execute(RESOLVE, (s.case_id, "Eric paid for Aline", s.other.member_id))
        with pytest.raises(psycopg.Error, match="locked by another session") as info:
            second.execute(RESOLVE, (s.case_id, "me too", s.member.member_id))
        assert info.value.sqlstate == "MM409"
    with pytest.raises(psycopg.Error, match="already resolved"):
        second.execute(RESOLVE, (s.case_id, "me too", s.member.member_id))
    assert scalar(admin, "select count(*) from contributions_ledger where source = 'manual'") == 1
