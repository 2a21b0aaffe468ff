"""momo_sms_requeue(): re-run one SMS after a fix; never one whose payment is in the ledger."""

import psycopg
import pytest

from tests.support.allocation import allocate
from tests.support.database import one_row, rows, scalar
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

REQUEUE = "select * from momo_sms_requeue(%s, %s)"


def test_requeue_clears_the_row_deletes_the_parse_and_closes_the_case(admin, connect_as):
    s = scenario(admin)
    parsed = one_row(
        admin, "select * from momo_parsed_txns where inbox_id = %s", (s.unmatched_inbox_id,)
    )

    inbox = one_row(connect_as("app_dba"), REQUEUE, (s.unmatched_inbox_id, "phone fixed, T-9"))

    assert inbox["processed_at"] is None
    assert inbox["outcome"] is None
    assert inbox["last_error"] is None
    assert inbox["attempts"] == 0
    assert inbox["next_attempt_at"] is None
    assert (
        scalar(
            admin,
            "select count(*) from momo_parsed_txns where inbox_id = %s",
            (s.unmatched_inbox_id,),
        )
        == 0
    )
    case = one_row(admin, "select * from momo_unmatched where id = %s", (s.case_id,))
    assert (case["status"], case["resolution"], case["resolution_note"]) == (
        "resolved",
        "requeued",
        "phone fixed, T-9",
    )
    assert case["parsed_id"] is None  # the foreign key set it null with the parse gone
    [audit] = rows(admin, "select * from audit_log")
    assert (audit["action"], audit["entity_id"], audit["reason"]) == (
        "momo_sms_requeue",
        str(s.unmatched_inbox_id),
        "phone fixed, T-9",
    )
    # The deleted parse is kept, whole, in the before image.
    assert audit["before"]["parsed"]["id"] == parsed["id"]
    assert audit["before"]["parsed"]["txn_id"] == "TXU1"
    assert audit["before"]["parsed"]["amount"] == 5000
    assert audit["before"]["inbox"]["outcome"] == "unmatched"
    assert audit["before"]["case"]["status"] == "open"
    assert audit["after"]["inbox"]["processed_at"] is None
    assert audit["after"]["case"]["resolution"] == "requeued"


def test_a_requeued_sms_is_allocated_by_the_next_run_after_the_fix(admin, connect_as):
    s = scenario(admin)
    connect_as("app_dba").execute(REQUEUE, (s.unmatched_inbox_id, "phone fixed"))
    admin.execute(
        "update profiles set whatsapp_e164 = '+250788000009' where user_id = %s", (s.other.user_id,)
    )
    summary = allocate(admin)
    assert (summary["processed"], summary["allocated"]) == (1, 1)
    entry = one_row(
        admin, "select * from contributions_ledger where inbox_id = %s", (s.unmatched_inbox_id,)
    )
    assert (entry["member_id"], entry["txn_id"], entry["source"]) == (
        s.other.member_id,
        "TXU1",
        "sms",
    )
    assert scalar(
        admin, "select outcome from momo_sms_inbox where id = %s", (s.unmatched_inbox_id,)
    ) == ("allocated")


def test_a_failed_row_waiting_for_its_retry_is_retried_at_once(admin, connect_as):
    inbox_id = ingest_from_modem(admin, sms_text("1,000", "+250788000001", "TXR1"))
    admin.execute(
        "update momo_sms_inbox set attempts = 3, last_error = 'error: deadlock detected', "
        "next_attempt_at = now() + interval '2 hours' where id = %s",
        (inbox_id,),
    )
    inbox = one_row(connect_as("app_dba"), REQUEUE, (inbox_id, "retry now, lock issue gone"))
    assert (inbox["attempts"], inbox["next_attempt_at"], inbox["last_error"]) == (0, None, None)
    audit = one_row(admin, "select * from audit_log")
    assert audit["before"]["inbox"]["attempts"] == 3
    assert audit["before"]["parsed"] is None
    assert audit["before"]["case"] is None


def test_a_dead_letter_is_requeued_and_its_case_closed(admin, connect_as):
    inbox_id, case_id = craft_case(admin, "dead_letter", parsed=False)
    connect_as("app_dba").execute(REQUEUE, (inbox_id, "bug fixed in release 12"))
    assert scalar(admin, "select outcome from momo_sms_inbox where id = %s", (inbox_id,)) is None
    assert (
        scalar(admin, "select resolution from momo_unmatched where id = %s", (case_id,))
        == "requeued"
    )


def test_an_allocated_sms_is_refused_with_the_reason(admin, connect_as):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        REQUEUE,
        (s.allocated_inbox_id, "try again"),
        "MM409",
        f"ledger entry {s.ledger_id} references it",
    )


def test_a_manually_allocated_sms_is_refused(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute(
        "select unmatched_resolve(%s, 'Eric for Aline', %s)", (s.case_id, s.other.member_id)
    )
    refused_changes_nothing(
        admin,
        dba,
        REQUEUE,
        (s.unmatched_inbox_id, "again"),
        "MM409",
        "cannot be re-run: ledger entry",
    )


def test_a_reversed_allocation_is_still_refused(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    dba.execute("select ledger_reverse(%s, 'wrong member')", (s.ledger_id,))
    refused_changes_nothing(
        admin, dba, REQUEUE, (s.allocated_inbox_id, "again"), "MM409", "references it"
    )


def test_an_sms_whose_transaction_has_a_duplicate_is_refused(admin, connect_as):
    s = scenario(admin)
    # The same transaction arrives again in a different SMS: a duplicate of the first parse.
    ingest_from_modem(
        admin,
        sms_text("5,000", "+250788000009", "TXU1", name="Eric Habimana"),
        "2025-01-18T13:00:00Z",
    )
    assert allocate(admin)["duplicates"] == 1
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        REQUEUE,
        (s.unmatched_inbox_id, "phone fixed"),
        "MM409",
        "was recorded as a duplicate of its transaction",
    )


def test_a_duplicate_sms_can_be_requeued_and_stays_a_duplicate(admin, connect_as):
    scenario(admin)
    duplicate = ingest_from_modem(
        admin,
        sms_text("5,000", "+250788000009", "TXU1", name="Eric Habimana"),
        "2025-01-18T13:00:00Z",
    )
    allocate(admin)
    connect_as("app_dba").execute(REQUEUE, (duplicate, "check the dedupe"))
    assert allocate(admin)["duplicates"] == 1
    assert scalar(admin, "select last_error from momo_sms_inbox where id = %s", (duplicate,)) == (
        "duplicate_txn"
    )


def test_a_queued_sms_is_refused(admin, connect_as):
    inbox_id = ingest_from_modem(admin, sms_text("1,000", "+250788000001", "TXQ1"))
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        REQUEUE,
        (inbox_id, "again"),
        "MM409",
        "already waiting for the allocator",
    )


def test_an_unknown_sms_is_refused(admin, connect_as):
    refused_changes_nothing(
        admin, connect_as("app_dba"), REQUEUE, (31337, "typo"), "MM404", "SMS 31337 does not exist"
    )


@pytest.mark.parametrize("reason", [None, "", " "])
def test_a_requeue_without_reason_is_refused(admin, connect_as, reason):
    s = scenario(admin)
    refused_changes_nothing(
        admin,
        connect_as("app_dba"),
        REQUEUE,
        (s.unmatched_inbox_id, reason),
        "MM400",
        "a reason is required",
    )


def test_a_row_held_by_another_session_is_refused_at_once(admin, connect_as):
    s = scenario(admin)
    holder = connect_as("app_dba")
    with holder.transaction():
        holder.execute(REQUEUE, (s.unmatched_inbox_id, "first"))
        with pytest.raises(psycopg.Error, match="locked by another session") as info:
            connect_as("app_dba").execute(REQUEUE, (s.unmatched_inbox_id, "second"))
        assert info.value.sqlstate == "MM409"
    assert scalar(admin, "select count(*) from audit_log") == 1
