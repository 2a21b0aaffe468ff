"""cycle_adjust(): expected amount and status with a reason; collected_amount stays the ledger's."""

import uuid
from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import add_group, allocate
from tests.support.database import one_row, rows, scalar
from tests.support.operations import ingest_from_modem, refused_changes_nothing, scenario, sms_text

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

ADJUST = (
    "select * from cycle_adjust(p_ikimina_id => %s, p_yyyymm => %s, "
    "p_expected_amount => %s, p_status => %s, p_reason => %s)"
)


def test_adjust_sets_expected_amount_and_status_and_is_audited(admin, connect_as):
    s = scenario(admin)
    group = s.member.ikimina_id
    cycle = one_row(
        connect_as("app_dba"), ADJUST, (group, 202501, Decimal(60000), "closed", "AGM decision")
    )
    assert (cycle["expected_amount"], cycle["status"]) == (Decimal("60000.00"), "closed")
    assert cycle["collected_amount"] == Decimal("12000.00")
    [audit] = rows(admin, "select * from audit_log")
    assert (audit["action"], audit["entity"], audit["entity_id"], audit["reason"]) == (
        "cycle_adjust",
        "contribution_cycles",
        f"{group}:202501",
        "AGM decision",
    )
    assert (audit["before"]["status"], audit["before"]["expected_amount"]) == ("open", 0)
    assert (audit["after"]["status"], audit["after"]["expected_amount"]) == ("closed", 60000)


def test_only_the_given_field_changes(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute(ADJUST, (s.member.ikimina_id, 202501, Decimal(50000), None, "target"))
    cycle = one_row(dba, ADJUST, (s.member.ikimina_id, 202501, None, "closed", "month closed"))
    assert (cycle["expected_amount"], cycle["status"]) == (Decimal("50000.00"), "closed")
    cycle = one_row(dba, ADJUST, (s.member.ikimina_id, 202501, None, "open", "reopened: late fix"))
    assert (cycle["expected_amount"], cycle["status"]) == (Decimal("50000.00"), "open")


def test_a_closed_cycle_stays_closed_when_a_late_payment_arrives(admin, connect_as):
    s = scenario(admin)
    connect_as("app_dba").execute(
        ADJUST, (s.member.ikimina_id, 202501, None, "closed", "January closed")
    )
    ingest_from_modem(admin, sms_text("3,000", "+250788000001", "TXLATE", ts="2025-01-31 23:00:00"))
    assert allocate(admin)["allocated"] == 1
    cycle = one_row(admin, "select * from contribution_cycles")
    assert (cycle["status"], cycle["collected_amount"]) == ("closed", Decimal("15000.00"))


def test_a_month_without_payments_gets_its_cycle(admin, connect_as):
    group = add_group(admin)
    cycle = one_row(
        connect_as("app_dba"), ADJUST, (group, 202503, Decimal(40000), None, "March target")
    )
    assert (
        cycle["yyyymm"],
        cycle["expected_amount"],
        cycle["collected_amount"],
        cycle["status"],
    ) == (
        202503,
        Decimal("40000.00"),
        Decimal("0.00"),
        "open",
    )
    audit = one_row(admin, "select * from audit_log")
    assert audit["before"] is None


def test_collected_amount_cannot_be_reached(admin, connect_as):
    # cycle_adjust has no parameter for it and DBAs cannot update the table.
    scenario(admin)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connect_as("app_dba").execute("update contribution_cycles set collected_amount = 0")
    assert scalar(admin, "select collected_amount from contribution_cycles") == Decimal("12000.00")


@pytest.mark.parametrize(
    ("expected", "status", "reason", "sqlstate", "match"),
    [
        (Decimal(1), None, None, "MM400", "a reason is required"),
        (Decimal(1), None, "  ", "MM400", "a reason is required"),
        (None, None, "why", "MM400", "nothing to change"),
        (Decimal(-1), None, "why", "MM400", "zero or more"),
        (Decimal("1.005"), None, "why", "MM400", "at most 2 decimals"),
        (None, "archived", "why", "MM400", "status must be open or closed"),
        (Decimal(0), "open", "why", "MM409", "nothing changed"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    admin, connect_as, expected, status, reason, sqlstate, match
):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        ADJUST,
        (s.member.ikimina_id, 202501, expected, status, reason),
        sqlstate,
        match,
    )


@pytest.mark.parametrize("yyyymm", [202513, 202500, 199912, 2025])
def test_a_month_that_is_not_yyyymm_is_refused(admin, connect_as, yyyymm):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        ADJUST,
        (s.member.ikimina_id, yyyymm, Decimal(1), None, "why"),
        "MM400",
        "is not a month written yyyymm",
    )


def test_an_unknown_group_is_refused(admin, connect_as):
    scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        ADJUST,
        (uuid.uuid4(), 202501, Decimal(1), None, "why"),
        "MM404",
        "group .* does not exist",
    )
