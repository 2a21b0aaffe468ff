"""momo_allocator_pause()/resume(): switch the pg_cron job, audited, visible in monitoring."""

import pytest

from tests.support.database import one_row, rows, scalar
from tests.support.operations import allocator_job_active, refused_changes_nothing

PAUSE = "select momo_allocator_pause(%s)"
RESUME = "select momo_allocator_resume(%s)"


def job_active(admin) -> bool:
    return scalar(admin, "select active from cron.job where jobname = 'momo-allocator'")


@pytest.fixture
def running(admin):
    """The allocator job as in production: active (the test reset pauses every job)."""
    with allocator_job_active(admin):
        yield admin


def test_pause_switches_the_job_off_and_shows_who_and_why(running, connect_as):
    admin = running
    dba = connect_as("app_dba")
    job = scalar(dba, PAUSE, ("incident 12: wrong allocations",))
    assert job["active"] is False and job["jobname"] == "momo-allocator"
    assert job_active(admin) is False
    status = one_row(connect_as("app_analyst"), "select * from monitoring.allocator_status")
    assert status["state"] == "paused"
    assert status["paused"] is True
    assert status["pause_reason"] == "incident 12: wrong allocations"
    assert status["paused_by"] == scalar(admin, "select session_user")
    assert status["paused_at"] is not None
    [audit] = rows(admin, "select * from audit_log")
    assert (audit["action"], audit["entity"], audit["entity_id"]) == (
        "momo_allocator_pause",
        "cron.job",
        "momo-allocator",
    )
    assert (audit["before"]["active"], audit["after"]["active"]) == (True, False)


def test_resume_switches_the_job_on_again(running, connect_as):
    admin = running
    dba = connect_as("app_dba")
    dba.execute(PAUSE, ("incident 12",))
    job = scalar(dba, RESUME, ("incident 12 fixed",))
    assert job["active"] is True
    assert job_active(admin) is True
    status = one_row(connect_as("app_analyst"), "select * from monitoring.allocator_status")
    assert (status["state"], status["paused"], status["paused_at"], status["pause_reason"]) == (
        "active",
        False,
        None,
        None,
    )
    assert [a["action"] for a in rows(admin, "select action from audit_log order by id")] == [
        "momo_allocator_pause",
        "momo_allocator_resume",
    ]


def test_pausing_a_paused_allocator_is_refused(running, connect_as):
    dba = connect_as("app_dba")
    dba.execute(PAUSE, ("incident 12",))
    refused_changes_nothing(running, dba, PAUSE, ("again",), "MM409", "already paused")


def test_resuming_a_running_allocator_is_refused(running, connect_as):
    refused_changes_nothing(
        running, connect_as("app_dba"), RESUME, ("why not",), "MM409", "already running"
    )


@pytest.mark.parametrize("call", [PAUSE, RESUME])
@pytest.mark.parametrize("reason", [None, "", " "])
def test_pause_and_resume_need_a_reason(running, connect_as, call, reason):
    refused_changes_nothing(
        running, connect_as("app_dba"), call, (reason,), "MM400", "a reason is required"
    )


def test_a_missing_job_is_a_clear_error(admin, connect_as):
    jobid = scalar(admin, "select jobid from cron.job where jobname = 'momo-allocator'")
    admin.execute(
        "update cron.job set jobname = 'momo-allocator-hidden' where jobid = %s", (jobid,)
    )
    try:
        dba = connect_as("app_dba")
        refused_changes_nothing(
            admin, dba, PAUSE, ("incident",), "MM404", "job momo-allocator does not exist"
        )
        refused_changes_nothing(
            admin, dba, RESUME, ("incident",), "MM404", "job momo-allocator does not exist"
        )
        status = one_row(connect_as("app_analyst"), "select * from monitoring.allocator_status")
        assert (status["state"], status["paused"]) == ("missing", None)
        overview = one_row(connect_as("app_analyst"), "select * from monitoring.overview")
        assert overview["status"] == "attention"
        assert "does not exist" in overview["next_step"]
    finally:
        admin.execute("update cron.job set jobname = 'momo-allocator' where jobid = %s", (jobid,))


def test_a_job_paused_outside_the_function_shows_as_paused(admin, connect_as):
    # The test reset pauses every job with cron.alter_job, as a DBA with superuser might.
    status = one_row(connect_as("app_analyst"), "select * from monitoring.allocator_status")
    assert (status["state"], status["paused"], status["pause_reason"]) == ("paused", True, None)
