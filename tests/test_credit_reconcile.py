"""The reconciliation job: credit_reconcile(), run by pg_cron as credits-reconcile.

Waiting up to 10 minutes for pg_cron to fire proves little: the job function is
tested directly, and the cron entry is checked for its schedule and command.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.support.credits import (
    assert_ledger_consistent,
    backdate,
    credit_snapshot,
    funded_shop,
    reservation,
    reserve,
    wallet,
)
from tests.support.database import one_row, raises_sqlstate, rows, scalar


@pytest.fixture
def svc(admin, connect_as) -> psycopg.Connection:
    return funded_shop(admin, connect_as("app_credits"), credits=1000, campaigns=5)


def run_job(conn: psycopg.Connection) -> dict:
    return scalar(conn, "select credit_reconcile()")


def set_status_bypassing_triggers(
    admin: psycopg.Connection, campaign_id: str, status: str, credits_used: int | None = None
) -> None:
    """A manual status change the way a DBA might do it: with triggers off."""
    with admin.transaction():
        admin.execute("set local session_replication_role = replica")
        admin.execute(
            """update "Campaign" set status = %s, "creditsUsed" = %s where id = %s""",
            (status, credits_used, campaign_id),
        )


def test_cron_job_is_scheduled_every_10_minutes(admin):
    job = one_row(
        admin,
        """select schedule, command, database, username from cron.job
           where jobname = 'credits-reconcile'""",
    )
    assert job["schedule"] == "*/10 * * * *"
    assert job["command"] == "select public.credit_reconcile()"
    assert job["database"] == scalar(admin, "select current_database()")
    assert job["username"] == scalar(admin, "select current_user")  # the migrating superuser


def test_cron_command_runs_the_job(admin, svc):
    r = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, r["id"], "2 hours")
    command = scalar(admin, "select command from cron.job where jobname = 'credits-reconcile'")
    summary = scalar(admin, command)
    assert summary["expired"] == 1
    assert reservation(admin, r["id"])["status"] == "expired"


def test_job_expires_reservations_past_expiry_and_older_than_the_max_age(admin, svc, connect_as):
    past_expiry = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, past_expiry["id"], "2 hours")
    too_old = reserve(svc, "c2", 20, "40 hours")
    connect_as("app_dba").execute(
        "select setting_set('CREDITS_RESERVATION_MAX_AGE', '24 hours', 'test')"
    )
    backdate(admin, too_old["id"], "25 hours")  # expires in 15 hours, but older than the max age
    fresh = reserve(svc, "c3", 30)

    summary = run_job(admin)
    assert (summary["expired"], summary["released"], summary["consumed"]) == (2, 0, 0)
    assert summary["errors"] == []
    assert reservation(admin, past_expiry["id"])["meta"] == {
        "releaseReason": "expired",
        "settledBy": "credits-reconcile",
    }
    assert reservation(admin, too_old["id"])["meta"]["releaseReason"] == "max_age_exceeded"
    assert reservation(admin, fresh["id"])["status"] == "active"
    assert wallet(admin, "s1")["reserved"] == Decimal(30)


def test_job_settles_campaigns_finalised_with_triggers_bypassed(admin, svc):
    failed = reserve(svc, "c1", 10)
    sent_unknown = reserve(svc, "c2", 20)
    sent_known = reserve(svc, "c3", 30)
    set_status_bypassing_triggers(admin, "c1", "failed")
    set_status_bypassing_triggers(admin, "c2", "sent")
    set_status_bypassing_triggers(admin, "c3", "sent", 25)
    # the bypass leaked all three
    assert (
        scalar(admin, """select count(*) from "CreditReservation" where status = 'active'""") == 3
    )

    summary = run_job(admin)
    assert (summary["released"], summary["consumed"], summary["expired"]) == (2, 1, 0)
    assert reservation(admin, failed["id"])["meta"]["releaseReason"] == "campaign_failed"
    assert reservation(admin, sent_unknown["id"])["meta"]["releaseReason"] == "campaign_sent"
    consumed = reservation(admin, sent_known["id"])
    assert (consumed["status"], consumed["usedAmount"]) == ("consumed", Decimal(25))
    assert consumed["meta"]["settledBy"] == "credits-reconcile"
    w = wallet(admin, "s1")
    assert (w["balance"], w["reserved"]) == (Decimal(975), 0)
    assert_ledger_consistent(admin)


def test_job_records_its_run_and_audits_each_change(admin, svc):
    r = reserve(svc, "c1", 10)
    set_status_bypassing_triggers(admin, "c1", "failed")
    summary = run_job(admin)
    run = one_row(admin, "select * from credit_reconcile_runs")
    assert run["id"] == summary["runId"]
    assert (run["released"], run["consumed"], run["expired"], run["errors"]) == (1, 0, 0, 0)
    assert run["summary"]["released"] == 1
    assert run["finished_at"] >= run["started_at"]
    audit = one_row(admin, "select * from audit_log where entity_id = %s", (r["id"],))
    assert audit["action"] == "credit_reservation_released"
    assert audit["after"]["meta"]["settledBy"] == "credits-reconcile"


def test_job_run_again_does_nothing_twice(admin, svc):
    r = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, r["id"], "2 hours")
    reserve(svc, "c2", 20)
    set_status_bypassing_triggers(admin, "c2", "failed")
    assert run_job(admin)["expired"] == 1
    tables = credit_snapshot(admin)
    second = run_job(admin)
    assert (second["expired"], second["released"], second["consumed"]) == (0, 0, 0)
    after = credit_snapshot(admin)
    # only the run log grew
    assert len(after.pop("credit_reconcile_runs")) == len(tables.pop("credit_reconcile_runs")) + 1
    assert after == tables


def test_job_leaves_healthy_reservations_alone(admin, svc):
    r = reserve(svc, "c1", 10)
    before = credit_snapshot(admin)
    assert run_job(admin)["expired"] == 0
    after = credit_snapshot(admin)
    after.pop("credit_reconcile_runs")
    before.pop("credit_reconcile_runs")
    assert after == before
    assert reservation(admin, r["id"])["status"] == "active"


def test_reservation_left_by_a_crashed_worker_is_expired_by_the_job(admin, svc, db_url):
    r = reserve(svc, "c1", 100)
    # The worker sent the campaign and was killed while charging it.
    worker = psycopg.connect(db_url)
    worker.execute("set role app_credits")
    worker.execute("select credit_consume('c1', 80)")
    pid = worker.info.backend_pid
    assert scalar(admin, "select pg_terminate_backend(%s)", (pid,)) is True
    with pytest.raises(psycopg.OperationalError):
        worker.execute("select 1")
    worker.close()
    # Its transaction rolled back whole: no debit, the reservation still holds the credits.
    assert reservation(admin, r["id"])["status"] == "active"
    assert scalar(admin, "select count(*) from \"CreditTransaction\" where type = 'debit'") == 0
    assert wallet(admin, "s1")["available"] == Decimal(900)
    assert_ledger_consistent(admin)

    # Nobody settles it: the job expires it once it is past its expiry.
    assert run_job(admin)["expired"] == 0
    backdate(admin, r["id"], "49 hours")
    assert run_job(admin)["expired"] == 1
    w = wallet(admin, "s1")
    assert (w["balance"], w["available"]) == (Decimal(1000), Decimal(1000))


def test_a_crashed_job_run_changes_nothing_and_the_next_run_settles(admin, svc, db_url):
    r = reserve(svc, "c1", 10)
    set_status_bypassing_triggers(admin, "c1", "failed")
    before = credit_snapshot(admin)
    job = psycopg.connect(db_url)
    job.execute("select credit_reconcile()")  # inside an open transaction
    assert scalar(admin, "select pg_terminate_backend(%s)", (job.info.backend_pid,)) is True
    job.close()
    assert credit_snapshot(admin) == before
    assert run_job(admin)["released"] == 1
    assert reservation(admin, r["id"])["status"] == "released"


def test_job_skips_a_reservation_its_owner_is_settling(admin, svc, db_url):
    r = reserve(svc, "c1", 10, "1 hour")
    backdate(admin, r["id"], "2 hours")
    with psycopg.connect(db_url) as owner:
        owner.execute('select 1 from "CreditReservation" where id = %s for update', (r["id"],))
        summary = run_job(admin)  # does not wait for the owner
        assert summary["expired"] == 0
        owner.rollback()
    assert run_job(admin)["expired"] == 1


def test_job_reports_a_reservation_it_cannot_settle_and_goes_on(admin, svc):
    bad = reserve(svc, "c1", 10)
    good = reserve(svc, "c2", 10)
    set_status_bypassing_triggers(admin, "c1", "sent", 11)  # more than reserved
    set_status_bypassing_triggers(admin, "c2", "failed")
    summary = run_job(admin)
    assert summary["released"] == 1
    assert [(e["reservationId"], e["sqlstate"]) for e in summary["errors"]] == [
        (bad["id"], "MM400")
    ]
    assert reservation(admin, bad["id"])["status"] == "active"
    assert reservation(admin, good["id"])["status"] == "released"
    assert one_row(admin, "select errors from credit_reconcile_runs") == {"errors": 1}
    leaked = rows(admin, "select id, reason from monitoring.credit_reservations_leaked")
    assert leaked == [{"id": bad["id"], "reason": "campaign_final"}]


def test_dba_runs_the_job_by_hand_and_analysts_cannot(admin, svc, connect_as):
    assert run_job(connect_as("app_dba"))["errors"] == []
    for role in ("app_analyst", "app_credits"):
        with raises_sqlstate("42501"):
            run_job(connect_as(role))
