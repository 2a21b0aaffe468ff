"""Changes to SMS formats are audited: who, when, with which role, before and after."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.database import rows

FORMAT = (
    "insert into momo_sms_formats (name, provider, kind, direction, allocatable, priority, "
    "keyword, pattern, sample, description) values ('test_received', 'test', 'p2p_received', "
    "'in', true, 5, 'received', 'received (?<amount>[0-9]+) RWF', 'received 500 RWF', 'test')"
)


@pytest.fixture(autouse=True)
def cleanup(admin: psycopg.Connection):
    """momo_sms_formats is seed data that the test reset keeps: remove the test format."""
    yield
    admin.execute("delete from momo_sms_formats where name = 'test_received'")


def audit(admin: psycopg.Connection) -> list[dict]:
    return rows(
        admin,
        "select action, entity, entity_id, actor, reason, before, after from audit_log "
        "where entity = 'momo_sms_formats' order by id",
    )


def test_a_format_insert_update_and_disable_each_leave_an_audit_row_naming_the_role(
    admin, connect_as
):
    dba = connect_as("app_dba")
    dba.execute(FORMAT)
    dba.execute("update momo_sms_formats set priority = 1 where name = 'test_received'")
    with dba.transaction():
        dba.execute("set local app.audit_reason = 'ticket 12: parser regression'")
        dba.execute("update momo_sms_formats set enabled = false where name = 'test_received'")
    entries = audit(admin)
    login = admin.execute("select session_user").fetchone()[0]
    assert [(e["action"], e["actor"], e["after"]["role"]) for e in entries] == [
        ("momo_sms_formats_insert", login, "app_dba"),
        ("momo_sms_formats_update", login, "app_dba"),
        ("momo_sms_formats_update", login, "app_dba"),
    ]
    insert, reprioritise, disable = entries
    assert insert["before"]["row"] is None
    assert insert["after"]["row"]["name"] == "test_received"
    assert insert["reason"] == "insert by role app_dba"
    assert (
        reprioritise["before"]["row"]["priority"],
        reprioritise["after"]["row"]["priority"],
    ) == (
        5,
        1,
    )
    assert disable["reason"] == "ticket 12: parser regression"
    assert (disable["before"]["row"]["enabled"], disable["after"]["row"]["enabled"]) == (
        True,
        False,
    )
    assert insert["entity_id"] == disable["entity_id"] == str(disable["after"]["row"]["id"])


def test_a_format_delete_is_audited(admin):
    admin.execute(FORMAT)
    admin.execute("delete from momo_sms_formats where name = 'test_received'")
    delete = audit(admin)[-1]
    assert delete["action"] == "momo_sms_formats_delete"
    assert delete["after"]["row"] is None and delete["before"]["row"]["name"] == "test_received"
