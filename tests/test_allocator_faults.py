"""A fault of the whole system is not a poison row: no bisection, no attempts, no dead letters.

Faults are injected with a trigger that raises the error for every row (as a lock timeout, a
revoked privilege or a bad deploy would); a poison row raises only for itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.support.allocation import add_group, add_member, allocate, ingest, p2p

# About whole-allocator behaviour, not the balance chain (tests/test_balance_chain.py);
# their SMS state made-up balances.
pytestmark = pytest.mark.usefixtures("balance_check_off")

PHONE = "+250781234567"
N_SMS = 30

FAULTS = {
    "lock_not_available": "55P03",
    "insufficient_privilege": "42501",
    "deadlock_detected": "40P01",
    "undefined_function": "42883",
    "query_canceled": "57014",
    "disk_full": "53100",
}


@pytest.fixture
def backlog(admin: psycopg.Connection) -> list[int]:
    add_member(admin, add_group(admin), PHONE)
    admin.execute("select setting_set('MOMO_ALLOCATOR_MAX_ATTEMPTS', '2', 'test')")
    return [ingest(admin, p2p(100, "250781234567", str(i))) for i in range(N_SMS)]


@pytest.fixture
def inject(admin: psycopg.Connection) -> Iterator[object]:
    """inject(condition, only=None): every ledger insert (or the one of txn `only`) fails."""

    def _inject(condition: str, only: str | None = None) -> None:
        admin.execute(
            f"""
            create or replace function pg_temp.fault() returns trigger language plpgsql as $$
            begin
                if {"true" if only is None else f"new.txn_id = '{only}'"} then
                    raise exception 'injected %', '{condition}' using errcode = '{condition}';
                end if;
                return new;
            end $$;
            """
        )
        admin.execute(
            "create or replace trigger test_fault before insert on contributions_ledger "
            "for each row execute function pg_temp.fault()"
        )

    yield _inject
    admin.execute("drop trigger if exists test_fault on contributions_ledger")


def state(admin: psycopg.Connection) -> tuple:
    row = admin.execute(
        "select count(*) filter (where processed_at is null), max(attempts), "
        "count(*) filter (where last_error is not null), "
        "(select count(*) from momo_unmatched), (select count(*) from contributions_ledger) "
        "from momo_sms_inbox"
    ).fetchone()
    assert row is not None
    return row


def alert(admin: psycopg.Connection) -> dict:
    cur = admin.execute("select * from monitoring.alerts where alert = 'allocator_failing'")
    row = cur.fetchone()
    assert row is not None
    return {c.name: v for c, v in zip(cur.description or [], row, strict=True)}


@pytest.mark.parametrize("condition", sorted(FAULTS))
def test_a_fault_for_every_row_charges_no_row_and_allocates_all_once_gone(
    admin, backlog, inject, condition
):
    inject(condition)
    for _ in range(5):  # well past MOMO_ALLOCATOR_MAX_ATTEMPTS = 2
        summary = allocate(admin, 10)
        assert summary["processed"] == 0 and summary["errors"] == []
        assert summary["fault"]["sqlstate"] == FAULTS[condition]
    # Nothing charged: all queued, no attempts, no errors, no dead letters, nothing credited.
    assert state(admin) == (N_SMS, 0, 0, 0, 0)
    firing = alert(admin)
    assert firing["firing"] is True and firing["current_value"] == 5
    assert firing["note"].startswith(f"allocator failing as a whole: {FAULTS[condition]} injected")

    admin.execute("drop trigger test_fault on contributions_ledger")
    assert allocate(admin, 100)["allocated"] == N_SMS
    assert state(admin) == (0, 1, 0, 0, N_SMS)
    assert alert(admin)["firing"] is False
    assert admin.execute(
        "select occurrences, cleared_at is not null from monitoring.allocator_faults"
    ).fetchall() == [(5, True)]


def test_the_drain_stops_at_a_fault_and_its_job_does_not_fail(admin, backlog, inject):
    inject("lock_not_available")
    admin.execute("call momo_allocator_drain()")  # returns normally: retried next minute
    assert state(admin) == (N_SMS, 0, 0, 0, 0)
    assert alert(admin)["current_value"] == 1  # one batch tried, not the whole budget


def test_the_alert_and_metric_name_the_fault(admin, backlog, inject, client):
    inject("lock_not_available")
    allocate(admin, 10)
    body = client.get("/metrics").get_data(as_text=True)
    assert 'momo_allocator_failing{sqlstate="55P03"} 1.0' in body
    assert 'momo_alert_firing{alert="allocator_failing"} 1.0' in body


def test_the_http_trigger_answers_503_naming_the_fault(admin, backlog, inject, make_app):
    inject("lock_not_available")
    http = make_app(allocator_token="t").test_client()
    response = http.post(
        "/functions/v1/momo-allocator", json={"limit": 5}, headers={"Authorization": "Bearer t"}
    )
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "allocator_failing"
    assert error["message"].startswith("allocator failing as a whole: 55P03")
    assert state(admin) == (N_SMS, 0, 0, 0, 0)


def test_a_genuine_poison_row_among_good_ones_becomes_a_dead_letter_alone(admin, backlog, inject):
    inject("invalid_parameter_value", only="7")  # a bug that only this SMS triggers
    first = allocate(admin, 100)
    assert (first["processed"], first["allocated"], "fault" in first) == (N_SMS, N_SMS - 1, False)
    admin.execute("update momo_sms_inbox set next_attempt_at = now() where processed_at is null")
    second = allocate(admin, 100)
    assert second["errors"][0]["deadLetter"] is True
    dead = admin.execute(
        "select i.id from momo_sms_inbox as i where i.outcome = 'dead_letter'"
    ).fetchall()
    assert dead == [(backlog[7],)]
    assert admin.execute("select count(*) from momo_unmatched").fetchone() == (1,)
    assert alert(admin)["firing"] is False


def test_recording_a_fault_never_waits_for_another_session(admin, db_url):
    """Parallel allocators share the one open fault row. A session that would wait for it
    while holding its batch's row locks can close a deadlock with a session waiting for
    those rows (seen with four allocators), so recording is skipped, never waited for,
    while another session records: that session's fault stands."""
    fault = '{"sqlstate": "53100", "message": "could not extend file"}'
    with psycopg.connect(db_url) as first, psycopg.connect(db_url, autocommit=True) as second:
        first.execute("select _momo_allocator_record_fault(%s::jsonb)", (fault,))
        second.execute("set statement_timeout = '2s'")
        # a batch without a fault would clear it: skipped at once instead of waiting
        second.execute("select _momo_allocator_record_fault(null)")
        second.execute("select _momo_allocator_record_fault(%s::jsonb)", (fault,))
        first.commit()
    open_faults = admin.execute(
        "select sqlstate, occurrences from momo_allocator_faults where cleared_at is null"
    ).fetchall()
    assert open_faults == [("53100", 1)]
    # with nobody else recording, the next clean batch clears it
    admin.execute("select _momo_allocator_record_fault(null)")
    assert admin.execute(
        "select count(*) from momo_allocator_faults where cleared_at is null"
    ).fetchone() == (0,)
