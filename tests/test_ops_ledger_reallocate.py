"""ledger_reallocate(), ledger_recredit(): a payment moves to the right member, never counts twice.

At most one live credit per transaction id is a constraint of contributions_ledger
(generations chained through their reversals), so it holds for direct SQL too.
"""

from __future__ import annotations

import random
from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import add_group, add_member, assert_cycles_match_ledger
from tests.support.database import one_row, rows, scalar, waits_for_commit
from tests.support.operations import craft_case, refused_changes_nothing, scenario

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

REALLOCATE = "select * from ledger_reallocate(%s, %s, %s)"
RECREDIT = "select * from ledger_recredit(%s, %s, %s)"
REVERSE = "select * from ledger_reverse(%s, %s)"
LIVE_CREDITS = """
    select l.member_id, l.amount from contributions_ledger as l
    where l.txn_id = %s and l.source <> 'correction'
        and not exists (select from contributions_ledger as r where r.reverses_id = l.id)
"""


def balances(admin: psycopg.Connection) -> dict:
    """Each member's balance: the sum of their ledger rows (credits and corrections)."""
    return {
        r["member_id"]: r["total"]
        for r in rows(
            admin,
            "select member_id, sum(amount) as total from contributions_ledger group by 1 "
            "having sum(amount) <> 0",
        )
    }


def test_a_to_b_to_c_then_reversing_c_leaves_the_payment_nowhere(admin, connect_as):
    s = scenario(admin)
    group_c = add_group(admin, "Abishyize hamwe")
    carine = add_member(admin, group_c, "+250788000003", "Carine Mukamana")
    dba = connect_as("app_dba")
    b, c = s.other.member_id, carine.member_id
    cycle = "select collected_amount from contribution_cycles where ikimina_id = %s"

    to_b = one_row(dba, REALLOCATE, (s.ledger_id, b, "paid for Aline, ticket 9"))
    assert (to_b["member_id"], to_b["amount"], to_b["txn_id"]) == (b, Decimal("12000.00"), "TXA1")
    assert (to_b["source"], to_b["txn_generation"], to_b["cycle_yyyymm"]) == ("manual", 2, 202501)
    assert to_b["inbox_id"] == s.allocated_inbox_id
    reversal_a = scalar(
        admin, "select id from contributions_ledger where reverses_id = %s", (s.ledger_id,)
    )
    assert to_b["recredits_id"] == reversal_a
    assert balances(admin) == {b: Decimal("12000.00")}
    assert scalar(admin, cycle, (s.member.ikimina_id,)) == Decimal("12000.00")
    assert rows(admin, LIVE_CREDITS, ("TXA1",)) == [{"member_id": b, "amount": Decimal("12000.00")}]

    to_c = one_row(dba, REALLOCATE, (to_b["id"], c, "Aline says it was Carine's, ticket 10"))
    assert (to_c["member_id"], to_c["txn_generation"], to_c["ikimina_id"]) == (c, 3, group_c)
    assert balances(admin) == {c: Decimal("12000.00")}
    assert scalar(admin, cycle, (s.member.ikimina_id,)) == Decimal("0.00")
    assert scalar(admin, cycle, (group_c,)) == Decimal("12000.00")
    assert rows(admin, LIVE_CREDITS, ("TXA1",)) == [{"member_id": c, "amount": Decimal("12000.00")}]

    dba.execute(REVERSE, (to_c["id"], "refunded to the payer"))
    assert balances(admin) == {}
    assert rows(admin, LIVE_CREDITS, ("TXA1",)) == []
    assert scalar(admin, cycle, (group_c,)) == Decimal("0.00")
    assert_cycles_match_ledger(admin)
    # Each step is audited with its reason.
    assert [
        (r["action"], r["reason"]) for r in rows(admin, "select * from audit_log order by id")
    ] == [
        ("ledger_reverse", "paid for Aline, ticket 9"),
        ("ledger_recredit", "paid for Aline, ticket 9"),
        ("ledger_reverse", "Aline says it was Carine's, ticket 10"),
        ("ledger_recredit", "Aline says it was Carine's, ticket 10"),
        ("ledger_reverse", "refunded to the payer"),
    ]


def test_a_payment_reversed_earlier_is_credited_again(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute(REVERSE, (s.ledger_id, "looked wrong"))
    credit = one_row(dba, RECREDIT, (s.ledger_id, s.member.member_id, "it was right after all"))
    assert (credit["member_id"], credit["txn_id"], credit["txn_generation"]) == (
        s.member.member_id,
        "TXA1",
        2,
    )
    assert balances(admin) == {s.member.member_id: Decimal("12000.00")}
    audit = one_row(admin, "select * from audit_log where action = 'ledger_recredit'")
    assert audit["after"]["credit"]["id"] == credit["id"]
    assert audit["actor"] == scalar(admin, "select session_user")
    assert_cycles_match_ledger(admin)


def test_recredit_refusals_change_nothing(admin, connect_as):
    s = scenario(admin)
    rwanda = s.other.member_id
    dollars = add_group(admin, "Diaspora", currency="USD")
    abroad = add_member(admin, dollars, "+250788000004", "Eric Abroad").member_id
    inactive = add_member(
        admin, s.member.ikimina_id, "+250788000005", "Left", status="inactive"
    ).member_id
    dba = connect_as("app_dba")
    refused_changes_nothing(
        admin, dba, RECREDIT, (s.ledger_id, rwanda, "x"), "MM409", "never reversed"
    )
    refused_changes_nothing(
        admin, dba, REALLOCATE, (s.ledger_id, s.member.member_id, "x"), "MM409", "already credited"
    )
    refused_changes_nothing(
        admin, dba, REALLOCATE, (s.ledger_id, abroad, "x"), "MM422", "keeps its ledger in USD"
    )
    refused_changes_nothing(
        admin, dba, REALLOCATE, (s.ledger_id, inactive, "x"), "MM422", "only active members"
    )
    refused_changes_nothing(
        admin,
        dba,
        REALLOCATE,
        (s.ledger_id, "00000000-0000-0000-0000-000000000000", "x"),
        "MM404",
        "does not exist",
    )
    refused_changes_nothing(
        admin, dba, REALLOCATE, (s.ledger_id, rwanda, " "), "MM400", "a reason is required"
    )
    refused_changes_nothing(
        admin, dba, REALLOCATE, (999999, rwanda, "x"), "MM404", "999999 does not exist"
    )
    moved = one_row(dba, REALLOCATE, (s.ledger_id, rwanda, "paid for Aline"))
    # The old entry is reversed and already credited again: only the newest moves on.
    error = refused_changes_nothing(
        admin, dba, RECREDIT, (s.ledger_id, rwanda, "x"), "MM409", "already credited again"
    )
    assert str(moved["id"]) in str(error)
    correction = scalar(
        admin, "select id from contributions_ledger where reverses_id = %s", (s.ledger_id,)
    )
    refused_changes_nothing(
        admin, dba, RECREDIT, (correction, rwanda, "x"), "MM409", "is a correction"
    )


def test_two_concurrent_reallocations_one_wins_the_other_is_refused(admin, connect_as):
    s = scenario(admin)
    third = add_member(admin, s.member.ikimina_id, "+250788000003", "Carine").member_id
    first, second = connect_as("app_dba"), connect_as("app_dba")
    first.execute("begin")
    first.execute(REALLOCATE, (s.ledger_id, s.other.member_id, "first"))
    outcome: dict[str, object] = {}

    def run_second() -> None:
        try:
            second.execute(REALLOCATE, (s.ledger_id, third, "second"))
            outcome["ok"] = True
        except psycopg.Error as exc:
            outcome["error"] = exc

    waits_for_commit(first, run_second, "the second waits for the entry's row lock")
    error = outcome["error"]
    assert isinstance(error, psycopg.Error) and error.sqlstate == "MM409", outcome
    assert "already reversed" in str(error)
    assert balances(admin) == {s.other.member_id: Decimal("12000.00")}
    assert scalar(admin, "select count(*) from contributions_ledger") == 3
    assert_cycles_match_ledger(admin)


def test_app_dba_cannot_write_a_credit_directly(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute(
            "insert into contributions_ledger (ikimina_id, member_id, amount, currency, "
            "cycle_yyyymm, txn_id, source) values (%s, %s, 1, 'RWF', 202501, 'TXA1', 'manual')",
            (s.other.ikimina_id, s.other.member_id),
        )


INSERT_CREDIT = """
    insert into contributions_ledger (
        ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, source,
        txn_generation, recredits_id
    )
    values (%s, %s, 12000, 'RWF', 202501, 'TXA1', 'manual', %s, %s)
"""


def test_the_schema_refuses_a_second_live_credit_whoever_writes_it(admin, connect_as):
    """Even a superuser's insert cannot make one transaction id count twice."""
    s = scenario(admin)
    other = (s.other.ikimina_id, s.other.member_id)
    # Generation 1 again: the unique (txn_id, txn_generation).
    with pytest.raises(psycopg.errors.UniqueViolation):
        admin.execute(INSERT_CREDIT, (*other, 1, None))
    # Generation 2 without a reversal, or pointing at a row that is not its reversal.
    with pytest.raises(psycopg.errors.CheckViolation):
        admin.execute(INSERT_CREDIT, (*other, 2, None))
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        admin.execute(INSERT_CREDIT, (*other, 2, s.ledger_id))
    # After a reversal and a re-credit, the reversal cannot be used a second time.
    dba = connect_as("app_dba")
    moved = one_row(dba, REALLOCATE, (s.ledger_id, s.other.member_id, "paid for Aline"))
    with pytest.raises(psycopg.errors.UniqueViolation):
        admin.execute(INSERT_CREDIT, (*other, 2, moved["recredits_id"]))
    with pytest.raises(psycopg.errors.IntegrityError):
        admin.execute(INSERT_CREDIT, (*other, 3, moved["recredits_id"]))
    # Generation 3 needs the reversal of generation 2, which does not exist.
    reversal = scalar(
        admin, "select id from contributions_ledger where reverses_id = %s", (s.ledger_id,)
    )
    with pytest.raises(psycopg.errors.IntegrityError):
        admin.execute(INSERT_CREDIT, (*other, 3, reversal))
    assert len(rows(admin, LIVE_CREDITS, ("TXA1",))) == 1


def test_a_copy_of_a_reallocated_sms_is_a_duplicate(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute(REALLOCATE, (s.ledger_id, s.other.member_id, "paid for Aline"))
    text = scalar(
        admin, "select raw_text from momo_sms_inbox where id = %s", (s.allocated_inbox_id,)
    )
    copy = scalar(
        admin,
        "select inbox_id from momo_sms_ingest(%s, 'M-Money', %s, 'modem-2', null)",
        (text, "2025-01-19T08:00:00Z"),
    )
    summary = scalar(admin, "select momo_allocate(10)")
    assert summary["allocated"] == 0 and summary["duplicates"] == 1, summary
    assert scalar(admin, "select outcome from momo_sms_inbox where id = %s", (copy,)) == "duplicate"
    assert balances(admin) == {s.other.member_id: Decimal("12000.00")}


def test_two_concurrent_recredits_of_one_reversed_entry_credit_once(admin, connect_as):
    s = scenario(admin)
    first, second = connect_as("app_dba"), connect_as("app_dba")
    first.execute(REVERSE, (s.ledger_id, "looked wrong"))
    first.execute("begin")
    first.execute(RECREDIT, (s.ledger_id, s.member.member_id, "it was right"))
    outcome: dict[str, object] = {}

    def run_second() -> None:
        try:
            second.execute(RECREDIT, (s.ledger_id, s.other.member_id, "no, Aline's"))
        except psycopg.Error as exc:
            outcome["error"] = exc

    waits_for_commit(first, run_second, "the second re-credit waits for the entry's row lock")
    error = outcome["error"]
    assert isinstance(error, psycopg.Error) and error.sqlstate == "MM409"
    assert "already credited again" in str(error)
    assert balances(admin) == {s.member.member_id: Decimal("12000.00")}
    assert len(rows(admin, LIVE_CREDITS, ("TXA1",))) == 1


def test_a_manual_entry_without_a_transaction_id_is_moved_too(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    _, case_id = craft_case(admin, "txn_id_missing", amount="3000", txn_id=None)
    dba.execute(
        "select unmatched_resolve(%s, %s, %s)", (case_id, "cash deposit", s.member.member_id)
    )
    manual = one_row(admin, "select * from contributions_ledger where source = 'manual'")
    assert manual["txn_id"] is None
    moved = one_row(dba, REALLOCATE, (manual["id"], s.other.member_id, "it was for Aline"))
    assert (moved["member_id"], moved["amount"], moved["txn_generation"]) == (
        s.other.member_id,
        manual["amount"],
        2,
    )
    assert balances(admin) == {
        s.member.member_id: Decimal("12000.00"),
        s.other.member_id: Decimal("3000.00"),
    }
    # Moved once: the reversal it follows cannot be used again.
    refused_changes_nothing(
        admin, dba, RECREDIT, (manual["id"], s.member.member_id, "x"), "MM409", "credited again"
    )
    assert_cycles_match_ledger(admin)


def test_any_sequence_of_corrections_keeps_at_most_one_live_credit_per_payment(admin, connect_as):
    """Random reversals, re-credits and moves (fixed seed): the invariants hold after each."""
    s = scenario(admin)
    members = [
        s.member.member_id,
        s.other.member_id,
        add_member(admin, s.member.ikimina_id, "+250788000003", "Carine").member_id,
    ]
    dba = connect_as("app_dba")
    rng = random.Random(12)
    for step in range(40):
        newest = one_row(
            admin,
            "select id from contributions_ledger where txn_id = 'TXA1' "
            "order by txn_generation desc limit 1",
        )
        member = rng.choice(members)
        action = rng.choice(["reverse", "recredit", "reallocate"])
        call = {"reverse": REVERSE, "recredit": RECREDIT, "reallocate": REALLOCATE}[action]
        params = (
            (newest["id"], f"step {step}")
            if action == "reverse"
            else (
                newest["id"],
                member,
                f"step {step}",
            )
        )
        try:
            dba.execute(call, params)
        except psycopg.Error as exc:
            assert exc.sqlstate == "MM409", exc  # a move to the same member, a state refused
        live = rows(admin, LIVE_CREDITS, ("TXA1",))
        assert len(live) <= 1
        assert sum(balances(admin).values(), Decimal(0)) == sum(
            (r["amount"] for r in live), Decimal(0)
        )
        assert_cycles_match_ledger(admin)
    assert scalar(admin, "select max(txn_generation) from contributions_ledger") > 3
