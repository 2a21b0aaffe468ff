"""The monitoring views on crafted data, read as app_analyst."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.allocation import Member, add_group, add_member, allocate
from tests.support.database import one_row, rows, scalar
from tests.support.operations import (
    allocator_job_active,
    craft_case,
    ingest_from_modem,
    scenario,
    set_allocator_job,
    sms_text,
)

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

# The credits engineer's views have their own tests.
OTHER_OWNERS = re.compile(r"^(credit|wallet)")


@pytest.fixture
def analyst(admin, connect_as) -> psycopg.Connection:
    return connect_as("app_analyst")


def queue(admin, n: int, minutes_ago: int = 0, prefix: str = "queued") -> list[int]:
    ids = [ingest_from_modem(admin, f"{prefix} {i}") for i in range(n)]
    admin.execute(
        "update momo_sms_inbox set ingested_at = now() - make_interval(mins => %s) "
        "where id = any(%s)",
        (minutes_ago, ids),
    )
    return ids


def sample(admin, minutes_ago: float, unprocessed: int, unmatched: int = 0) -> None:
    admin.execute(
        "insert into monitoring.queue_samples (sampled_at, inbox_unprocessed, inbox_retrying, "
        "unmatched_open) values (now() - make_interval(secs => %s), %s, 0, %s)",
        (minutes_ago * 60, unprocessed, unmatched),
    )


def alert(analyst, name: str) -> dict:
    return one_row(analyst, "select * from monitoring.alerts where alert = %s", (name,))


def craft_allocation(admin, member: Member, minutes_ago: int, txn: str) -> int:
    """An SMS ledger entry written at a chosen time (the allocator always writes now())."""
    inbox_id = ingest_from_modem(admin, f"crafted allocation {txn}")
    parsed_id = scalar(
        admin,
        "insert into momo_parsed_txns "
        "(inbox_id, direction, amount, currency, txn_id, genuine, confidence) "
        "values (%s, 'in', 100, 'RWF', %s, true, 1) returning id",
        (inbox_id, txn),
    )
    admin.execute(
        "update momo_sms_inbox set processed_at = now() - make_interval(mins => %s), attempts = 1, "
        "outcome = 'allocated' where id = %s",
        (minutes_ago, inbox_id),
    )
    return scalar(
        admin,
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "txn_id, source, inbox_id, parsed_id, allocated_at) values "
        "(%s, %s, 100, 'RWF', 202501, %s, 'sms', %s, %s, now() - make_interval(mins => %s)) "
        "returning id",
        (member.ikimina_id, member.member_id, txn, inbox_id, parsed_id, minutes_ago),
    )


def finish(admin, ids: list[int], outcome: str, last_error: str, minutes_ago: int = 0) -> None:
    admin.execute(
        "update momo_sms_inbox set processed_at = now() - make_interval(mins => %s), "
        "attempts = 1, outcome = %s, last_error = %s where id = any(%s)",
        (minutes_ago, outcome, last_error, ids),
    )


# -- every view documents its columns -------------------------------------------------


def test_every_monitoring_view_comment_names_each_of_its_columns(admin):
    views = rows(
        admin,
        "select c.relname as name, obj_description(c.oid, 'pg_class') as comment, "
        "array_agg(a.attname::text order by a.attnum) as columns "
        "from pg_class as c join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 "
        "where c.relnamespace = 'monitoring'::regnamespace and c.relkind in ('v', 'r') "
        "group by c.oid, c.relname order by c.relname",
    )
    mine = [v for v in views if not OTHER_OWNERS.match(v["name"])]
    assert len(mine) >= 12
    for view in mine:
        assert view["comment"], f"monitoring.{view['name']} has no comment"
        missing = [c for c in view["columns"] if c not in view["comment"]]
        assert not missing, f"monitoring.{view['name']} comment does not describe {missing}"


# -- queue sizes -----------------------------------------------------------------------


def test_queue_sizes_counts_waiting_retrying_and_open_cases(admin, analyst):
    s = scenario(admin)  # one allocated SMS, one open case (processed)
    waiting = queue(admin, 3, minutes_ago=7)
    retrying = queue(admin, 1, minutes_ago=2, prefix="retry")
    admin.execute(
        "update momo_sms_inbox set attempts = 1, last_error = 'error: boom', "
        "next_attempt_at = now() + interval '1 minute' where id = %s",
        (retrying[0],),
    )
    admin.execute(
        "update momo_unmatched set created_at = now() - interval '20 minutes' where id = %s",
        (s.case_id,),
    )
    q = one_row(analyst, "select * from monitoring.queue_sizes")
    assert q["inbox_unprocessed"] == 4
    assert q["inbox_ready"] == 3
    assert q["inbox_retrying"] == 1
    assert 7 * 60 <= q["inbox_oldest_unprocessed_age_seconds"] < 8 * 60
    assert q["unmatched_open"] == 1
    assert 20 * 60 <= q["unmatched_oldest_open_age_seconds"] < 21 * 60
    # the open case's SMS (profile_not_found) and the retrying one
    assert q["inbox_rows_with_error"] == 2
    assert len(waiting) == 3


def test_queue_sizes_on_an_empty_system(admin, analyst):
    q = one_row(analyst, "select * from monitoring.queue_sizes")
    assert (q["inbox_unprocessed"], q["unmatched_open"], q["inbox_oldest_unprocessed_at"]) == (
        0,
        0,
        None,
    )


def test_inbox_errors_groups_rows_by_error_and_state(admin, analyst):
    ids = queue(admin, 6)
    finish(admin, ids[:2], "unmatched", "profile_not_found")
    finish(admin, ids[2:3], "skipped", "skipped_money_out")
    finish(admin, ids[3:4], "dead_letter", "dead_letter: division by zero")
    admin.execute(
        "update momo_sms_inbox set attempts = 2, last_error = 'error: division by zero', "
        "next_attempt_at = now() + interval '1 minute' where id = %s",
        (ids[4],),
    )
    got = {
        (r["state"], r["reason"], r["last_error"]): r["sms"]
        for r in rows(analyst, "select * from monitoring.inbox_errors")
    }
    assert got == {
        ("unmatched", "profile_not_found", "profile_not_found"): 2,
        ("skipped", "skipped_money_out", "skipped_money_out"): 1,
        ("dead_letter", "dead_letter", "dead_letter: division by zero"): 1,
        ("retrying", "error", "error: division by zero"): 1,
    }


# -- rates -----------------------------------------------------------------------------


def test_allocations_per_minute_counts_sms_entries_of_the_last_hour(admin, analyst):
    group = add_group(admin)
    member = add_member(admin, group, "+250788000001", "Jean Bosco")
    craft_allocation(admin, member, 5, "T1")
    craft_allocation(admin, member, 5, "T2")
    craft_allocation(admin, member, 30, "T3")
    craft_allocation(admin, member, 61, "T4")  # older than the hour
    # a manual entry is not an allocation by the allocator
    admin.execute(
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "source, allocated_at) values "
        "(%s, %s, 1, 'RWF', 202501, 'manual', now() - interval '5 minutes')",
        (group, member.member_id),
    )
    per_minute = rows(
        analyst,
        "select (extract(epoch from date_trunc('minute', now()) - minute) / 60)::int as ago, "
        "allocations from monitoring.allocations_per_minute",
    )
    assert len(per_minute) == 60
    assert [r["ago"] for r in per_minute] == list(range(60))
    counts = {r["ago"]: r["allocations"] for r in per_minute if r["allocations"]}
    # "5 minutes ago" is 5 minutes before the current minute (6 when the clock just turned)
    assert sum(counts.values()) == 3
    assert set(counts) <= {5, 6, 30, 31}
    assert counts.get(5, 0) + counts.get(6, 0) == 2


def test_error_rates_counts_final_errors_per_minute_and_reason(admin, analyst):
    ids = queue(admin, 7)
    finish(admin, ids[:2], "unmatched", "low_confidence", minutes_ago=3)
    finish(admin, ids[2:3], "duplicate", "duplicate_txn", minutes_ago=3)
    finish(admin, ids[3:4], "dead_letter", "dead_letter: boom", minutes_ago=10)
    finish(admin, ids[4:5], "unmatched", "low_confidence", minutes_ago=90)  # too old
    finish(admin, ids[5:6], "allocated", None, minutes_ago=3)  # not an error
    got = rows(
        analyst,
        "select (extract(epoch from date_trunc('minute', now()) - minute) / 60)::int as ago, "
        "outcome, reason, sms from monitoring.error_rates",
    )
    by_reason: dict[tuple[str, str], int] = {}
    for r in got:
        by_reason[(r["outcome"], r["reason"])] = (
            by_reason.get((r["outcome"], r["reason"]), 0) + r["sms"]
        )
        assert r["ago"] in (3, 4, 10, 11)
    assert by_reason == {
        ("unmatched", "low_confidence"): 2,
        ("duplicate", "duplicate_txn"): 1,
        ("dead_letter", "dead_letter"): 1,
    }


def test_duplicates_at_ingest_parse_and_ledger(admin, analyst):
    s = scenario(admin)
    text = sms_text("700", "+250788000001", "TXD1")
    ingest_from_modem(admin, text)
    ingest_from_modem(admin, text)  # the gateway sends it again
    ingest_from_modem(admin, text)
    # the same transaction in another SMS (another delivery time): duplicate at parse
    ingest_from_modem(admin, sms_text("12,000", "+250788000001", "TXA1"), "2025-01-18T15:00:00Z")
    # a transaction someone booked by hand before its SMS was allocated: the ledger refuses it
    admin.execute(
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "txn_id, source) values (%s, %s, 900, 'RWF', 202501, 'TXD9', 'manual')",
        (s.member.ikimina_id, s.member.member_id),
    )
    ingest_from_modem(admin, sms_text("900", "+250788000001", "TXD9"))
    summary = allocate(admin)
    assert summary["duplicates"] == 2
    got = {r["kind"]: r for r in rows(analyst, "select * from monitoring.duplicates")}
    assert got["ingest_redelivery"]["occurrences"] == 2
    assert got["ingest_redelivery"]["sms_last_hour"] == 1
    assert got["parse_txn_id"]["occurrences"] == 1
    assert got["parse_txn_id"]["sms_last_24h"] == 1
    assert got["ledger_txn_id"]["occurrences"] == 1
    assert all(r["last_seen_at"] is not None for r in got.values())


def test_dead_letters_list_the_given_up_sms_with_their_case(admin, analyst, connect_as):
    first, first_case = craft_case(admin, "dead_letter", parsed=False)
    second, _ = craft_case(admin, "dead_letter", parsed=False, received_at="2025-02-04T10:00:00Z")
    connect_as("app_dba").execute(
        "select unmatched_resolve(%s, 'test SMS from the operator')", (first_case,)
    )
    got = rows(analyst, "select * from monitoring.dead_letters")
    assert [r["inbox_id"] for r in got] == [second, first]  # open case first
    assert got[0]["case_status"] == "open"
    assert got[1]["case_status"] == "resolved" and got[1]["resolution"] == "dismissed"
    assert got[0]["last_error"] == "dead_letter: boom"
    assert "raw_text" not in got[0]  # analysts see no SMS bodies


def test_unmatched_open_lists_cases_oldest_first_with_the_parse(admin, analyst):
    s = scenario(admin)
    _, later = craft_case(admin, "low_confidence", amount="100", txn_id="TXL")
    got = rows(analyst, "select * from monitoring.unmatched_open")
    assert [r["case_id"] for r in got] == [s.case_id, later]
    assert (got[0]["reason"], str(got[0]["amount"]), got[0]["txn_id"]) == (
        "profile_not_found",
        "5000.00",
        "TXU1",
    )


# -- alerts ----------------------------------------------------------------------------


def test_inbox_backlog_fires_after_more_than_ten_minutes_above_25(admin, analyst):
    queue(admin, 26, minutes_ago=12)
    for minutes in range(12, -1, -1):
        sample(admin, minutes, 26)
    a = alert(analyst, "inbox_backlog")
    assert a["firing"] is True
    assert (a["current_value"], a["threshold"], a["unit"]) == (26, 25, "rows")
    assert a["rule"] == "momo_sms_inbox unprocessed > 25 rows for more than 10 minutes"
    assert a["note"] is None
    assert scalar(
        admin,
        "select since between now() - interval '12 minutes 1 second' "
        "and now() - interval '11 minutes 59 seconds' from monitoring.alerts "
        "where alert = 'inbox_backlog'",
    )


def test_inbox_backlog_does_not_fire_before_ten_minutes(admin, analyst):
    queue(admin, 40)
    for minutes in range(9, -1, -1):
        sample(admin, minutes, 40)
    a = alert(analyst, "inbox_backlog")
    assert a["firing"] is False
    assert a["since"] is not None  # above the threshold, not yet for long enough


def test_inbox_backlog_counts_from_the_last_sample_at_or_below_the_threshold(admin, analyst):
    queue(admin, 30)
    for minutes in range(20, -1, -1):
        sample(admin, minutes, 25 if minutes == 6 else 30)
    assert alert(analyst, "inbox_backlog")["firing"] is False
    # once the dip is more than ten minutes back the alert fires
    admin.execute("update monitoring.queue_samples set inbox_unprocessed = 30")
    admin.execute(
        "update monitoring.queue_samples set inbox_unprocessed = 10 "
        "where sampled_at < now() - interval '15 minutes'"
    )
    assert alert(analyst, "inbox_backlog")["firing"] is True


def test_inbox_backlog_at_exactly_25_rows_does_not_fire(admin, analyst):
    queue(admin, 25)
    for minutes in range(15, -1, -1):
        sample(admin, minutes, 25)
    a = alert(analyst, "inbox_backlog")
    assert (a["firing"], a["since"]) == (False, None)


def test_inbox_backlog_stops_when_the_queue_has_drained_since_the_last_sample(admin, analyst):
    queue(admin, 3)
    for minutes in range(15, 0, -1):
        sample(admin, minutes, 30)
    a = alert(analyst, "inbox_backlog")
    assert (a["firing"], a["current_value"], a["since"]) == (False, 3, None)


def test_inbox_backlog_thresholds_are_settings(admin, analyst, connect_as):
    queue(admin, 30)
    for minutes in range(7, -1, -1):
        sample(admin, minutes, 30)
    assert alert(analyst, "inbox_backlog")["firing"] is False
    dba = connect_as("app_dba")
    dba.execute(
        "select setting_set('MOMO_ALERT_INBOX_UNPROCESSED_FOR', '5 minutes', 'pilot: tighter')"
    )
    a = alert(analyst, "inbox_backlog")
    assert a["firing"] is True
    assert a["rule"] == "momo_sms_inbox unprocessed > 25 rows for more than 5 minutes"
    dba.execute("select setting_set('MOMO_ALERT_INBOX_UNPROCESSED_ROWS', '30', 'pilot: looser')")
    assert alert(analyst, "inbox_backlog")["firing"] is False


def test_inbox_backlog_says_when_sampling_has_stopped(admin, analyst):
    queue(admin, 30)
    assert "no queue sample yet" in alert(analyst, "inbox_backlog")["note"]
    for minutes in range(30, 10, -1):
        sample(admin, minutes, 30)
    a = alert(analyst, "inbox_backlog")
    assert "queue sampling stopped at" in a["note"]
    assert a["firing"] is True  # the history it has still shows a long backlog


def test_unmatched_open_cases_fires_above_ten(admin, analyst):
    for i in range(10):
        craft_case(admin, "profile_not_found", txn_id=f"TXO{i}")
    a = alert(analyst, "unmatched_open_cases")
    assert (a["firing"], a["current_value"], a["threshold"]) == (False, 10, 10)
    craft_case(admin, "profile_not_found", txn_id="TXO10")
    assert alert(analyst, "unmatched_open_cases")["firing"] is True


def test_unmatched_case_age_fires_for_a_case_older_than_an_hour(admin, analyst):
    _, case_id = craft_case(admin, "low_confidence")
    admin.execute(
        "update momo_unmatched set created_at = now() - interval '59 minutes' where id = %s",
        (case_id,),
    )
    a = alert(analyst, "unmatched_case_age")
    assert (a["firing"], a["threshold"], a["unit"], a["since"]) == (False, 3600, "seconds", None)
    admin.execute(
        "update momo_unmatched set created_at = now() - interval '61 minutes' where id = %s",
        (case_id,),
    )
    a = alert(analyst, "unmatched_case_age")
    assert a["firing"] is True
    assert 61 * 60 <= a["current_value"] < 62 * 60
    assert a["rule"] == "any momo_unmatched open case older than 60 minutes"


def test_a_resolved_old_case_does_not_fire(admin, analyst, connect_as):
    _, case_id = craft_case(admin, "low_confidence")
    admin.execute("update momo_unmatched set created_at = now() - interval '3 hours'")
    connect_as("app_dba").execute("select unmatched_resolve(%s, 'bank test SMS')", (case_id,))
    assert alert(analyst, "unmatched_case_age")["firing"] is False


# -- sampling and history --------------------------------------------------------------


def test_the_sampler_records_the_queue_as_the_cron_job_runs_it(admin):
    s = scenario(admin)
    queue(admin, 2, minutes_ago=4)
    command = scalar(
        admin, "select command from cron.job where jobname = 'monitoring-queue-sample'"
    )
    assert scalar(
        admin, "select schedule from cron.job where jobname = 'monitoring-queue-sample'"
    ) == ("* * * * *")
    admin.execute(command)
    got = one_row(admin, "select * from monitoring.queue_samples")
    assert (got["inbox_unprocessed"], got["inbox_retrying"], got["unmatched_open"]) == (2, 0, 1)
    assert scalar(
        admin,
        "select inbox_oldest_unprocessed_at < now() - interval '4 minutes' "
        "and unmatched_oldest_open_at = (select created_at from momo_unmatched where id = %s) "
        "from monitoring.queue_samples",
        (s.case_id,),
    )


@pytest.fixture
def fake_job(admin) -> Iterator[int]:
    """A pg_cron job of our own (inactive, yearly) whose run history the test writes."""
    jobid = scalar(admin, "select cron.schedule('test-ops-fake', '0 0 1 1 *', 'select 1')")
    admin.execute("select cron.alter_job(%s, active := false)", (jobid,))
    try:
        yield jobid
    finally:
        admin.execute("delete from cron.job_run_details where jobid = %s", (jobid,))
        admin.execute("select cron.unschedule(%s::bigint)", (jobid,))


def add_run(admin, jobid: int, status: str, ended_minutes_ago: float, message: str = "") -> None:
    admin.execute(
        "insert into cron.job_run_details (jobid, job_pid, database, username, command, status, "
        "return_message, start_time, end_time) values (%s, 1, current_database(), 'postgres', "
        "'select 1', %s, %s, now() - make_interval(secs => %s), now() - make_interval(secs => %s))",
        (jobid, status, message, ended_minutes_ago * 60 + 1, ended_minutes_ago * 60),
    )


def test_the_history_trim_job_deletes_old_runs_and_samples(admin, fake_job):
    add_run(admin, fake_job, "succeeded", 8 * 24 * 60)
    add_run(admin, fake_job, "succeeded", 6 * 24 * 60)
    sample(admin, 8 * 24 * 60, 1)
    sample(admin, 10, 1)
    job = one_row(admin, "select * from cron.job where jobname = 'monitoring-history-trim'")
    assert job["schedule"] == "17 2 * * *"  # daily
    admin.execute(job["command"])
    assert (
        scalar(admin, "select count(*) from cron.job_run_details where jobid = %s", (fake_job,))
        == 1
    )
    assert scalar(admin, "select count(*) from monitoring.queue_samples") == 1
    result = scalar(admin, "select _monitoring_history_trim()")
    assert result == {"queue_samples_deleted": 0, "cron_runs_deleted": 0}


def test_retention_is_a_setting(admin, fake_job):
    add_run(admin, fake_job, "succeeded", 3 * 24 * 60)
    admin.execute(
        "select setting_set('MONITORING_CRON_HISTORY_RETENTION', '2 days', 'disk is small')"
    )
    assert scalar(admin, "select _monitoring_history_trim() ->> 'cron_runs_deleted'") == "1"


def test_cron_jobs_shows_last_run_and_health_to_analysts(admin, analyst, fake_job):
    add_run(admin, fake_job, "succeeded", 30)
    add_run(admin, fake_job, "failed", 5, "ERROR: relation does not exist")
    job = one_row(analyst, "select * from monitoring.cron_jobs where jobname = 'test-ops-fake'")
    assert job["health"] == "paused"  # inactive
    admin.execute("select cron.alter_job(%s, active := true)", (fake_job,))
    job = one_row(analyst, "select * from monitoring.cron_jobs where jobname = 'test-ops-fake'")
    assert job["health"] == "failing"
    assert job["last_run_status"] == "failed"
    assert job["last_run_message"] == "ERROR: relation does not exist"
    assert (job["runs_last_24h"], job["failures_last_24h"]) == (2, 1)
    assert 30 * 60 <= job["last_success_age_seconds"] < 31 * 60
    add_run(admin, fake_job, "succeeded", 1)
    job = one_row(analyst, "select * from monitoring.cron_jobs where jobname = 'test-ops-fake'")
    assert (job["health"], job["failures_last_24h"]) == ("ok", 1)
    names = {r["jobname"] for r in rows(analyst, "select jobname from monitoring.cron_jobs")}
    assert {"momo-allocator", "monitoring-queue-sample", "monitoring-history-trim"} <= names
    # analysts cannot read pg_cron's tables themselves
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        analyst.execute("select * from cron.job_run_details")


# -- overview --------------------------------------------------------------------------


@pytest.fixture
def healthy_cron(admin) -> Iterator[None]:
    """A successful latest run for every pg_cron job (the cluster's real history varies)."""
    runids = [
        r[0]
        for r in admin.execute(
            "insert into cron.job_run_details (jobid, job_pid, database, username, command, "
            "status, return_message, start_time, end_time) "
            "select jobid, 1, database, username, command, 'succeeded', '1 row', now(), now() "
            "from cron.job returning runid"
        )
    ]
    try:
        yield
    finally:
        admin.execute("delete from cron.job_run_details where runid = any(%s)", (runids,))


def test_overview_is_ok_when_nothing_needs_a_person(admin, analyst, healthy_cron):
    with allocator_job_active(admin):
        o = one_row(analyst, "select * from monitoring.overview")
        assert (o["status"], o["alerts_firing"], o["allocator_state"], o["next_step"]) == (
            "ok",
            [],
            "active",
            "Nothing to do.",
        )


def test_overview_names_the_problem_and_the_next_step(admin, analyst, connect_as, healthy_cron):
    set_allocator_job(admin, True)
    s = scenario(admin)
    craft_case(admin, "dead_letter", parsed=False)
    admin.execute("update momo_unmatched set created_at = now() - interval '2 hours'")
    o = one_row(analyst, "select * from monitoring.overview")
    assert o["status"] == "attention"
    assert o["alerts_firing"] == ["unmatched_case_age"]
    assert (o["unmatched_open"], o["dead_letters_open"], o["allocations_last_hour"]) == (2, 1, 1)
    assert o["unmatched_last_hour"] == 2
    assert "monitoring.dead_letters" in o["next_step"]
    connect_as("app_dba").execute("select momo_allocator_pause('incident 3')")
    o = one_row(analyst, "select * from monitoring.overview")
    assert o["allocator_state"] == "paused"
    assert o["allocator_pause_reason"] == "incident 3"
    assert "momo_allocator_resume" in o["next_step"] and "incident 3" in o["next_step"]
    assert s.case_id


def test_overview_points_at_a_whole_allocator_fault_and_an_overdrawn_wallet(
    admin, analyst, healthy_cron
):
    with allocator_job_active(admin):
        admin.execute(
            "insert into momo_allocator_faults (sqlstate, message) values ('55P03', 'lock timeout')"
        )
        o = one_row(analyst, "select * from monitoring.overview")
        assert o["alerts_firing"] == ["allocator_failing"]
        assert "Runbook: Allocator failing as a whole" in o["next_step"]
        admin.execute("update momo_allocator_faults set cleared_at = now()")
        admin.execute("""insert into "Wallet" ("shopId") values ('s1')""")
        with admin.transaction():
            admin.execute("set local session_replication_role = replica")
            admin.execute("""update "Wallet" set balance = -5 where "shopId" = 's1'""")
        o = one_row(analyst, "select * from monitoring.overview")
        assert o["alerts_firing"] == ["credit_wallets_overdrawn"]
        assert "Runbook: Campaign charged after its reservation" in o["next_step"]
