"""The real pg_cron job fires within about a minute and drains the queue."""

import time

import pytest

from tests.support.allocation import add_group, add_member, ingest, p2p


@pytest.mark.slow
def test_momo_allocator_cron_job_drains_the_queue(admin, balance_check_off):
    job = admin.execute(
        "select jobid, schedule, command from cron.job where jobname = 'momo-allocator'"
    ).fetchone()
    assert job is not None
    jobid, schedule, command = job
    assert (schedule, command) == ("* * * * *", "call momo_allocator_drain()")

    add_member(admin, add_group(admin), "+250781234567")
    for i in range(25):
        ingest(admin, p2p(100, "250781234567", str(i)))
    admin.execute("select cron.alter_job(%s, active := true)", (jobid,))
    try:
        deadline = time.monotonic() + 75
        while time.monotonic() < deadline:
            left = admin.execute(
                "select count(*) from momo_sms_inbox where processed_at is null"
            ).fetchone()[0]
            if left == 0:
                break
            time.sleep(2)
        assert left == 0
        # the run is recorded once it finishes
        run = None
        while time.monotonic() < deadline + 15 and run is None:
            run = admin.execute(
                "select status from cron.job_run_details where jobid = %s "
                "and status = 'succeeded' limit 1",
                (jobid,),
            ).fetchone()
            time.sleep(1)
        assert run == ("succeeded",)
    finally:
        admin.execute("select cron.alter_job(%s, active := false)", (jobid,))
    assert admin.execute("select count(*) from contributions_ledger").fetchone() == (25,)
