"""A dead letter resolved by hand credits its payment once, whichever copy of the SMS comes first.

A dead-letter case has no stored parse; unmatched_resolve() parses the SMS itself so that its
transaction id goes into the ledger, where the unique (txn_id, txn_generation) meets every copy.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import allocate, assert_cycles_match_ledger
from tests.support.database import one_row, rows, scalar, waits_for_commit
from tests.support.operations import (
    craft_case,
    ingest_from_modem,
    refused_changes_nothing,
    scenario,
    sms_text,
)

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

RESOLVE = "select * from unmatched_resolve(%s, %s, %s)"
PAYMENT = sms_text("7,000", "+250788000002", "TXD1", name="Aline Uwase")


def dead_letter(admin: psycopg.Connection, received_at: str) -> tuple[int, int]:
    """The SMS stored once and left as a dead letter by the allocator: (inbox_id, case_id)."""
    inbox_id = ingest_from_modem(admin, PAYMENT, received_at)
    admin.execute(
        "update momo_sms_inbox set processed_at = now(), attempts = 5, outcome = 'dead_letter', "
        "last_error = 'dead_letter: simulated bug' where id = %s",
        (inbox_id,),
    )
    case_id = scalar(
        admin,
        "insert into momo_unmatched (inbox_id, reason, detail) "
        "values (%s, 'dead_letter', 'allocation failed 5 times') returning id",
        (inbox_id,),
    )
    return inbox_id, case_id


def case_naming_txa1_only_in_parsed_json(admin: psycopg.Connection) -> int:
    """An open case for the scenario's paid payment (TXA1) whose stored parse keeps the txn id
    only in parsed_json, as a parse that was not the first to claim it does: its case_id."""
    inbox_id, case_id = craft_case(admin, "low_confidence", amount="12000", txn_id=None)
    admin.execute(
        'update momo_parsed_txns set parsed_json = \'{"txn_id": "TXA1"}\' where inbox_id = %s',
        (inbox_id,),
    )
    return case_id


def credits(admin: psycopg.Connection) -> list[dict]:
    return rows(
        admin,
        "select member_id, amount, source, txn_id from contributions_ledger "
        "where txn_id = 'TXD1' order by id",
    )


def test_a_copy_arriving_after_the_manual_resolution_is_a_duplicate(admin, connect_as):
    s = scenario(admin)
    _, case_id = dead_letter(admin, "2025-01-18T12:21:00Z")
    case = one_row(connect_as("app_dba"), RESOLVE, (case_id, "payer confirmed", s.other.member_id))
    entry = one_row(admin, "select * from contributions_ledger where id = %s", (case["ledger_id"],))
    assert (entry["txn_id"], entry["amount"], entry["source"]) == ("TXD1", Decimal(7000), "manual")
    assert entry["cycle_yyyymm"] == 202501  # the SMS's own time

    copy = ingest_from_modem(
        admin, PAYMENT, "2025-01-18T12:25:00Z"
    )  # another receivedAt, another hash
    summary = allocate(admin)
    assert (summary["allocated"], summary["duplicates"]) == (0, 1), summary
    assert scalar(admin, "select last_error from momo_sms_inbox where id = %s", (copy,)) == (
        "duplicate_txn_ledger"
    )
    assert credits(admin) == [
        {
            "member_id": s.other.member_id,
            "amount": Decimal(7000),
            "source": "manual",
            "txn_id": "TXD1",
        }
    ]
    assert_cycles_match_ledger(admin)


def test_a_copy_allocated_before_makes_the_resolution_refuse_naming_the_entry(admin, connect_as):
    s = scenario(admin)
    _, case_id = dead_letter(admin, "2025-01-18T12:21:00Z")
    ingest_from_modem(admin, PAYMENT, "2025-01-18T12:25:00Z")
    assert allocate(admin)["allocated"] == 1
    allocated = scalar(admin, "select id from contributions_ledger where txn_id = 'TXD1'")
    error = refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (case_id, "payer confirmed", s.other.member_id),
        "MM409",
        f"already in the ledger as entry {allocated}",
    )
    assert "ledger_reallocate" in (error.diag.message_hint or "")
    assert len(credits(admin)) == 1


def test_a_resolution_racing_the_allocator_on_a_copy_credits_once(admin, connect_as, db_url):
    s = scenario(admin)
    _, case_id = dead_letter(admin, "2025-01-18T12:21:00Z")
    ingest_from_modem(admin, PAYMENT, "2025-01-18T12:25:00Z")
    dba = connect_as("app_dba")
    dba.execute("begin")
    dba.execute(RESOLVE, (case_id, "payer confirmed", s.other.member_id))
    result: dict[str, object] = {}

    def allocator() -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            result["summary"] = allocate(conn)

    waits_for_commit(dba, allocator, "the allocator waits on the uncommitted manual entry's txn id")
    summary = result["summary"]
    assert isinstance(summary, dict) and summary["duplicates"] == 1, summary
    assert len(credits(admin)) == 1
    assert_cycles_match_ledger(admin)


def test_a_parse_that_did_not_claim_its_txn_id_still_guards_the_payment(admin, connect_as):
    """A stored parse may keep the txn id only in parsed_json (it was not the first to claim it)."""
    s = scenario(admin)
    case_id = case_naming_txa1_only_in_parsed_json(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        RESOLVE,
        (case_id, "payer confirmed", s.other.member_id),
        "MM409",
        f"already in the ledger as entry {s.ledger_id}",
    )


def test_a_reversed_payment_is_refused_with_the_way_to_credit_it_again(admin, connect_as):
    s = scenario(admin)
    case_id = case_naming_txa1_only_in_parsed_json(admin)
    dba = connect_as("app_dba")
    dba.execute("select ledger_reverse(%s, 'wrong member')", (s.ledger_id,))
    error = refused_changes_nothing(
        admin,
        dba,
        RESOLVE,
        (case_id, "payer confirmed", s.other.member_id),
        "MM409",
        f"already in the ledger as entry {s.ledger_id} \\(reversed by entry",
    )
    assert f"ledger_recredit({s.ledger_id}," in (error.diag.message_hint or "")
