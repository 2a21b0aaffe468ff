"""docs/runbook.md is executable: its SQL runs as written; its incident response works."""

from __future__ import annotations

import re
from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import add_group, add_member, allocate
from tests.support.database import one_row, rows, scalar
from tests.support.mtn_sms import CASES
from tests.support.operations import allocator_job_active, craft_case, ingest_from_modem, sms_text
from tests.support.runbook import RUNBOOK, runbook_part, runbook_sql, substitute

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")


@pytest.fixture
def allocator_job(admin):
    """The momo-allocator job active, as in production; paused again afterwards."""
    with allocator_job_active(admin):
        yield


def test_the_runbook_covers_credit_reconciliation():
    text = RUNBOOK.read_text(encoding="utf-8")
    credits = runbook_part("credits")
    for name in (
        "credit_reconcile",
        "credit_release",
        "monitoring.wallet_reconciliation",
        "/api/internal/release-reservation",
    ):
        assert name in credits
    assert text.isascii()


def test_every_view_and_function_the_runbook_names_exists(admin):
    text = RUNBOOK.read_text(encoding="utf-8")
    # monitoring.rejected is a log event, not a view
    views = set(re.findall(r"monitoring\.([a-z_]+)", text)) - {"rejected"}
    assert len(views) >= 12
    for view in views:
        assert scalar(admin, "select to_regclass(%s) is not null", (f"monitoring.{view}",)), view
    for function in (
        "ledger_reverse",
        "unmatched_resolve",
        "momo_sms_requeue",
        "cycle_adjust",
        "momo_allocator_pause",
        "momo_allocator_resume",
        "setting_set",
        "momo_allocator_drain",
        "ledger_recredit",
        "ledger_reallocate",
    ):
        assert f"{function}(" in text
        assert scalar(admin, "select count(*) from pg_proc where proname = %s", (function,)) == 1
    config = (RUNBOOK.parent.parent / "api" / "config.py").read_text(encoding="utf-8")
    environment = set(re.findall(r'env(?:\.get\(|, )"([A-Z_]+)"', config))
    assert "MOMO_MONITORING_TOKEN" in environment
    for setting in set(re.findall(r"`((?:MOMO|MONITORING)_[A-Z_]+)`", text)) - environment:
        assert scalar(admin, "select count(*) from app_settings where key = %s", (setting,)) == 1, (
            setting
        )


def test_the_runbook_sql_runs_in_order_as_app_dba(admin, connect_as, allocator_job):
    group = add_group(admin, "Twizigame")
    payer = add_member(admin, group, "+250788000001", "Jean Bosco")
    aline = add_member(admin, group, "+250788000002", "Aline Uwase")
    fixed = add_member(admin, group, "+250788000030", "Chantal Ingabire")  # phone mistyped
    ingest_from_modem(admin, sms_text("12,000", "+250788000001", "TXR1"))
    unknown = ingest_from_modem(admin, sms_text("5,000", "+250788000099", "TXR2", name="Eric"))
    mistyped = ingest_from_modem(admin, sms_text("4,000", "+250788000003", "TXR3", name="Chantal"))
    ingest_from_modem(
        admin, sms_text("3,000", "+250788000001", "TXR7")
    )  # Aline's, sent from Jean's phone
    # a payment out in MTN's wording (it states the balance): a balance anchor
    anchor = ingest_from_modem(admin, CASES["payment_txid_first"][0])
    assert allocate(admin)["allocated"] == 2
    ledger_id = scalar(admin, "select id from contributions_ledger where txn_id = 'TXR1'")
    wrong_ledger_id = scalar(admin, "select id from contributions_ledger where txn_id = 'TXR7'")
    # A dead letter (no parse stored) whose payment a person then confirms.
    dead = ingest_from_modem(admin, sms_text("2,500", "+250788000002", "TXR6", name="Aline Uwase"))
    admin.execute(
        "update momo_sms_inbox set processed_at = now(), attempts = 5, outcome = 'dead_letter', "
        "last_error = 'dead_letter: simulated bug' where id = %s",
        (dead,),
    )
    dead_letter_case_id = scalar(
        admin,
        "insert into momo_unmatched (inbox_id, reason) values (%s, 'dead_letter') returning id",
        (dead,),
    )
    _, other_case_id = craft_case(admin, "low_confidence", amount="100", txn_id="TXR4")
    _, amountless_case_id = craft_case(admin, "amount_unavailable", txn_id="TXR5")
    admin.execute(
        "update profiles set whatsapp_e164 = '+250788000003' where user_id = %s", (fixed.user_id,)
    )
    variables: dict[str, object] = {
        "case_id": scalar(admin, "select id from momo_unmatched where inbox_id = %s", (unknown,)),
        "member_id": aline.member_id,
        "inbox_id": mistyped,
        "other_case_id": other_case_id,
        "amountless_case_id": amountless_case_id,
        "ledger_id": ledger_id,
        "wrong_ledger_id": wrong_ledger_id,
        "dead_letter_case_id": dead_letter_case_id,
        "format_name": scalar(
            admin, "select name from momo_sms_formats where enabled order by priority, id limit 1"
        ),
        "ikimina_id": group,
        "yyyymm": 202501,
        "anchor_inbox_id": anchor,
    }
    dba = connect_as("app_dba")
    blocks = runbook_sql()
    assert len(blocks) >= 20
    for block in blocks:
        conn = admin if block.startswith("-- as postgres") else dba
        try:
            conn.execute(substitute(block, variables))  # type: ignore[arg-type]
        except psycopg.Error as exc:
            pytest.fail(f"runbook block failed: {exc}\n{block}")

    # What the runbook did, in order.
    assert [r["action"] for r in rows(admin, "select action from audit_log order by id")] == [
        "setting_set",
        "momo_allocator_pause",
        "unmatched_resolve",
        "unmatched_resolve",
        "unmatched_resolve",
        "momo_sms_requeue",
        "momo_allocator_resume",
        "unmatched_resolve",
        "balance_anchor_confirm",
        "ledger_reverse",
        "ledger_recredit",
        "ledger_reverse",
        "ledger_recredit",
        "cycle_adjust",
        "cycle_adjust",
        "momo_sms_formats_update",
        "momo_sms_formats_update",
    ]
    # The reversed payment is credited again, the misdirected one moved, the dead
    # letter credited with its transaction id: each payment counts once, with Aline.
    live = rows(
        admin,
        "select l.txn_id, l.member_id from contributions_ledger as l "
        "where l.source <> 'correction' and l.txn_id in ('TXR1', 'TXR6', 'TXR7') "
        "and not exists (select from contributions_ledger as r where r.reverses_id = l.id) "
        "order by l.txn_id",
    )
    assert live == [
        {"txn_id": "TXR1", "member_id": aline.member_id},
        {"txn_id": "TXR6", "member_id": aline.member_id},
        {"txn_id": "TXR7", "member_id": aline.member_id},
    ]
    assert scalar(
        admin,
        "select bool_and(enabled) from momo_sms_formats where name = %s",
        (variables["format_name"],),
    )
    # The requeued SMS was allocated by the drain to the member whose phone was fixed.
    entry = one_row(admin, "select * from contributions_ledger where inbox_id = %s", (mistyped,))
    assert (entry["member_id"], entry["source"]) == (fixed.member_id, "sms")
    assert scalar(admin, "select count(*) from momo_sms_inbox where processed_at is null") == 0
    assert scalar(admin, "select count(*) from momo_unmatched where status = 'open'") == 0
    cycle = one_row(admin, "select * from contribution_cycles where yyyymm = 202501")
    assert (cycle["status"], cycle["expected_amount"]) == ("closed", Decimal("60000.00"))
    assert cycle["collected_amount"] == scalar(
        admin, "select sum(amount) from contributions_ledger where cycle_yyyymm = 202501"
    )
    assert payer.member_id != aline.member_id


def test_incident_response_end_to_end(admin, connect_as, client, allocator_job):
    """Pause, ingest continues over HTTP, fix by hand, requeue, resume, the queue drains."""
    group = add_group(admin, "Abishyize hamwe")
    jean = add_member(admin, group, "+250788000001", "Jean Bosco")
    aline = add_member(admin, group, "+250788000002", "Aline Uwase")
    chantal = add_member(admin, group, "+250788000030", "Chantal Ingabire")  # mistyped phone
    dba = connect_as("app_dba")
    analyst = connect_as("app_analyst")

    # Before the incident: two SMS the allocator could not place.
    from_chantal = ingest_from_modem(
        admin, sms_text("4,000", "+250788000003", "TXE1", name="Chantal")
    )
    from_stranger = ingest_from_modem(
        admin, sms_text("6,000", "+250788000099", "TXE2", name="Eric")
    )
    assert allocate(admin)["unmatched"] == 2

    # 1. Pause.
    dba.execute("select momo_allocator_pause('incident 7: unmatched payments piling up')")
    assert scalar(admin, "select active from cron.job where jobname = 'momo-allocator'") is False
    status = one_row(analyst, "select * from monitoring.allocator_status")
    assert (status["state"], status["pause_reason"]) == (
        "paused",
        "incident 7: unmatched payments piling up",
    )

    # 2. Ingest continues through the real HTTP endpoint; the SMS wait in the inbox.
    ledger_before = scalar(admin, "select count(*) from contributions_ledger")
    for amount, phone, txn in (
        ("1,000", "+250788000001", "TXE3"),
        ("2,000", "+250788000002", "TXE4"),
        ("3,000", "+250788000001", "TXE5"),
    ):
        response = client.post(
            "/functions/v1/momo-sms-hook",
            json={
                "message": sms_text(amount, phone, txn),
                "msisdn": "M-Money",
                "receivedAt": "2025-01-18T12:30:00Z",
                "ingestSource": "modem-1",
            },
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["ok"] is True
    queue = one_row(analyst, "select * from monitoring.queue_sizes")
    assert (queue["inbox_unprocessed"], queue["unmatched_open"]) == (3, 2)
    assert scalar(admin, "select count(*) from contributions_ledger") == ledger_before
    overview = one_row(analyst, "select * from monitoring.overview")
    assert overview["allocator_state"] == "paused"
    assert "momo_allocator_resume" in overview["next_step"]

    # 3. Fix by hand: the stranger was Aline's husband paying for her; Chantal's
    # phone is corrected in the member registry (outside the DBA role).
    stranger_case = scalar(
        admin, "select id from momo_unmatched where inbox_id = %s", (from_stranger,)
    )
    dba.execute(
        "select unmatched_resolve(%s, 'husband paid for Aline, confirmed by phone', %s)",
        (stranger_case, aline.member_id),
    )
    admin.execute(
        "update profiles set whatsapp_e164 = '+250788000003' where user_id = %s", (chantal.user_id,)
    )

    # 4. Requeue Chantal's SMS.
    dba.execute("select momo_sms_requeue(%s, 'phone corrected, incident 7')", (from_chantal,))
    assert one_row(analyst, "select * from monitoring.queue_sizes")["inbox_unprocessed"] == 4

    # 5. Resume, check the job is active again, then run what the job runs.
    dba.execute("select momo_allocator_resume('incident 7 fixed')")
    assert one_row(analyst, "select * from monitoring.allocator_status")["state"] == "active"
    job = one_row(admin, "select active, command from cron.job where jobname = 'momo-allocator'")
    assert job == {"active": True, "command": "call momo_allocator_drain()"}
    admin.execute(job["command"])

    # The queue drained and every payment sits with the right member.
    queue = one_row(analyst, "select * from monitoring.queue_sizes")
    assert (queue["inbox_unprocessed"], queue["unmatched_open"]) == (0, 0)
    credited = {
        (r["member_id"], r["source"]): r["amount"]
        for r in rows(
            admin,
            "select member_id, source, sum(amount) as amount from contributions_ledger "
            "group by member_id, source",
        )
    }
    assert credited == {
        (jean.member_id, "sms"): Decimal("4000.00"),
        (aline.member_id, "sms"): Decimal("2000.00"),
        (aline.member_id, "manual"): Decimal("6000.00"),
        (chantal.member_id, "sms"): Decimal("4000.00"),
    }
    assert scalar(admin, "select collected_amount from contribution_cycles") == Decimal("16000.00")
    assert [r["action"] for r in rows(admin, "select action from audit_log order by id")] == [
        "momo_allocator_pause",
        "unmatched_resolve",
        "momo_sms_requeue",
        "momo_allocator_resume",
    ]
    assert one_row(analyst, "select * from monitoring.overview")["allocator_state"] == "active"
