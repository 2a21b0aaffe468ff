"""ledger_reverse(): a compensating entry, the cycle follows, audited; refusals change nothing."""

from decimal import Decimal

import pytest

from tests.support.database import one_row, rows, scalar
from tests.support.operations import refused_changes_nothing, scenario

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

REVERSE = "select * from ledger_reverse(%s, %s)"
CYCLE_TOTAL = (
    "select collected_amount from contribution_cycles where ikimina_id = %s and yyyymm = 202501"
)


def test_reverse_appends_the_negated_entry_and_lowers_the_cycle(admin, connect_as):
    s = scenario(admin)
    cycle_before = scalar(
        admin,
        CYCLE_TOTAL,
        (s.member.ikimina_id,),
    )
    assert cycle_before == Decimal("12000.00")
    dba = connect_as("app_dba")

    correction = one_row(dba, REVERSE, (s.ledger_id, "wrong member, ticket 7"))

    original = one_row(admin, "select * from contributions_ledger where id = %s", (s.ledger_id,))
    assert correction["source"] == "correction"
    assert correction["reverses_id"] == s.ledger_id
    assert correction["amount"] == -original["amount"] == Decimal("-12000.00")
    assert (correction["member_id"], correction["ikimina_id"], correction["cycle_yyyymm"]) == (
        original["member_id"],
        original["ikimina_id"],
        original["cycle_yyyymm"],
    )
    assert correction["txn_id"] is None
    assert correction["inbox_id"] == s.allocated_inbox_id
    assert correction["meta"]["reason"] == "wrong member, ticket 7"
    assert correction["meta"]["original_txn_id"] == "TXA1"
    # The original is untouched (append-only) and the cycle is back to zero.
    assert original["amount"] == Decimal("12000.00")
    assert scalar(
        admin,
        CYCLE_TOTAL,
        (s.member.ikimina_id,),
    ) == Decimal("0.00")


def test_reverse_writes_one_audit_row_with_actor_reason_and_images(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    correction = one_row(dba, REVERSE, (s.ledger_id, "wrong member"))

    audit = rows(admin, "select * from audit_log")
    assert len(audit) == 1
    entry = audit[0]
    assert entry["action"] == "ledger_reverse"
    assert (entry["entity"], entry["entity_id"]) == ("contributions_ledger", str(s.ledger_id))
    assert entry["reason"] == "wrong member"
    assert entry["actor"] == scalar(admin, "select session_user")
    assert entry["before"]["entry"]["id"] == s.ledger_id
    assert entry["before"]["cycle"]["collected_amount"] == 12000
    assert entry["after"]["correction"]["id"] == correction["id"]
    assert entry["after"]["cycle"]["collected_amount"] == 0


def test_reverse_keeps_a_closed_cycle_closed(admin, connect_as):
    s = scenario(admin)
    admin.execute("update contribution_cycles set status = 'closed'")
    connect_as("app_dba").execute(REVERSE, (s.ledger_id, "refund"))
    assert scalar(admin, "select status from contribution_cycles") == "closed"


def test_reversing_twice_is_refused_and_changes_nothing(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    first = one_row(dba, REVERSE, (s.ledger_id, "wrong member"))
    error = refused_changes_nothing(
        admin, dba, REVERSE, (s.ledger_id, "again"), "MM409", "already reversed by entry"
    )
    assert str(first["id"]) in str(error)


def test_reversing_a_correction_is_refused_and_changes_nothing(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    correction = one_row(dba, REVERSE, (s.ledger_id, "wrong member"))
    refused_changes_nothing(
        admin,
        dba,
        REVERSE,
        (correction["id"], "undo the undo"),
        "MM409",
        "is itself a correction",
    )


def test_reversing_an_unknown_entry_is_refused(admin, connect_as):
    scenario(admin)
    refused_changes_nothing(
        admin, connect_as("app_dba"), REVERSE, (999999, "typo"), "MM404", "999999 does not exist"
    )


def test_reversing_without_a_reason_is_refused(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    for reason in (None, "", "   "):
        refused_changes_nothing(
            admin, dba, REVERSE, (s.ledger_id, reason), "MM400", "a reason is required"
        )


def test_reverse_of_a_manual_entry_lowers_its_cycle(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute(
        "select unmatched_resolve(%s, %s, %s)",
        (s.case_id, "paid by Eric for M-02", s.other.member_id),
    )
    manual_id = scalar(admin, "select id from contributions_ledger where source = 'manual'")
    dba.execute(REVERSE, (manual_id, "Eric's payment was for next year"))
    assert scalar(admin, "select collected_amount from contribution_cycles") == Decimal("12000.00")
    assert scalar(admin, "select sum(amount) from contributions_ledger") == Decimal("12000.00")
