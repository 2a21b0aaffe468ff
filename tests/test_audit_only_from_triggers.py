"""Audit rows come only from the audit triggers of the audited tables (issue 24, item 5).

No role can call an audit writer, directly or from a trigger or function of its
own; the trigger functions refuse to write for a table the schema owner did not
make, even for a superuser who hangs one on a temporary table.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.database import raises_sqlstate, scalar
from tests.support.refusals import APP_ROLES

AUDIT_TRIGGER_FUNCTIONS = (
    "_audit_row_change()",
    "_momo_provider_senders_audit()",
    "_credit_reservation_audit()",
)


def audit_rows(admin: psycopg.Connection) -> int:
    return scalar(admin, "select count(*) from audit_log")


def test_item_5_a_temporary_table_trigger_cannot_forge_an_audit_row(admin, connect_as):
    """The issue's route, exactly: a pg_temp trigger function calling the old writer."""
    dba = connect_as("app_dba")
    dba.execute("create temp table t (x int)")
    dba.execute(
        "create function pg_temp.forge() returns trigger language plpgsql as $$ begin "
        "perform public._audit_change('contributions_ledger', 'UPDATE', '42', 'app_allocator', "
        "'{}', '{}'); return null; end $$"
    )
    dba.execute(
        "create trigger forge after insert on t for each row execute function pg_temp.forge()"
    )
    with pytest.raises(psycopg.errors.UndefinedFunction):
        dba.execute("insert into t values (1)")
    # The same through the writer every audited function uses.
    dba.execute(
        "create or replace function pg_temp.forge() returns trigger language plpgsql as $$ begin "
        "perform public._audit('contributions_ledger_update', 'contributions_ledger', '42', "
        "'update by role app_allocator', null, null); return null; end $$"
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute("insert into t values (1)")
    assert audit_rows(admin) == 0


@pytest.mark.parametrize("function", AUDIT_TRIGGER_FUNCTIONS)
def test_no_role_can_hang_an_audit_trigger_function_on_its_own_table(admin, connect_as, function):
    dba = connect_as("app_dba")
    dba.execute("create temp table t (id int, provider text, sender text, status text)")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute(
            f"create trigger forge after insert on t for each row execute function {function}"
        )
    # Nor on an audited table (only its owner adds triggers there).
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute(
            "create trigger forge after insert on momo_sms_formats "
            f"for each row execute function {function}"
        )
    assert audit_rows(admin) == 0


def test_even_a_superuser_cannot_make_an_audit_trigger_write_for_a_temporary_table(admin):
    admin.execute("create temp table t (id int, provider text, sender text, status text)")
    for function in AUDIT_TRIGGER_FUNCTIONS:
        admin.execute("drop trigger if exists forge on t")
        admin.execute(
            f"create trigger forge after insert on t for each row execute function {function}"
        )
        with raises_sqlstate("MM403", "own tables only"):
            admin.execute("insert into t values (1, 'p', 's', 'active')")
    assert audit_rows(admin) == 0


def test_no_role_can_execute_any_audit_function_or_write_audit_log(admin, connect_as):
    functions = [
        row[0]
        for row in admin.execute(
            "select p.oid::regprocedure::text from pg_proc as p "
            "where p.pronamespace = 'public'::regnamespace "
            "and (p.prorettype = 'trigger'::regtype or p.proname like '%%audit%%')"
        )
    ]
    assert {"_audit(text,text,text,text,jsonb,jsonb)", "_audit_row_change()"} <= set(functions)
    granted = [
        (role, function)
        for role in APP_ROLES
        for function in functions
        if scalar(admin, "select has_function_privilege(%s, %s, 'execute')", (role, function))
    ]
    assert granted == []
    for role in APP_ROLES:
        conn = connect_as(role)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select _audit('forged', 'x', null, 'by hand', null, null)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("insert into audit_log (action, entity) values ('forged', 'x')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select _audit_row_change()")
    assert audit_rows(admin) == 0


def test_no_route_through_a_function_or_event_trigger_of_ones_own(admin, connect_as):
    dba = connect_as("app_dba")
    # A security definer function of its own runs as itself: no more rights.
    dba.execute(
        "create function pg_temp.forge() returns bigint language sql security definer "
        "as $$ select public._audit('forged', 'x', null, 'by hand', null, null) $$"
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute("select pg_temp.forge()")
    # Nowhere to put a function that others would run: no create on public.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute("create function public.forge() returns int language sql as $$ select 1 $$")
    # Event triggers are for superusers only.
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        dba.execute(
            "create event trigger forge on ddl_command_end "
            "execute function public._audit_row_change()"
        )
    assert audit_rows(admin) == 0


def test_a_real_change_is_still_audited_with_the_acting_role(admin, connect_as):
    dba = connect_as("app_dba")
    admin.execute("update momo_sms_formats set enabled = enabled")  # no change: no row
    assert audit_rows(admin) == 0
    dba.execute(
        "update momo_sms_formats set priority = priority + 1 "
        "where id = (select min(id) from momo_sms_formats)"
    )
    assert scalar(admin, "select reason from audit_log") == "update by role app_dba"
    assert scalar(admin, "select after ->> 'role' from audit_log") == "app_dba"
    admin.execute(
        "update momo_sms_formats set priority = priority - 1 "
        "where id = (select min(id) from momo_sms_formats)"
    )
    login = scalar(admin, "select session_user")
    assert scalar(admin, "select after ->> 'role' from audit_log order by id desc limit 1") == login
