"""Least privilege: each database role can do exactly its job, and no more.

Privileges are read from the catalog for every table, sequence and function the
project's schemas hold (so a new table is covered the day it is added), and the
important ones are also tried for real.
"""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
import pytest
from psycopg import errors

from api.db import Role
from tests.support.ingest import inbox_state

TABLE_PRIVILEGES = ["select", "insert", "update", "delete", "truncate", "references", "trigger"]

# Privileges a role really has (schema usage included) on tables and views outside the
# PostgreSQL catalogs; column-level grants count too.
EFFECTIVE_TABLE_PRIVILEGES = """
select format('%%I.%%I', n.nspname, c.relname) as relation, p.privilege
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
cross join unnest(%(privileges)s::text[]) as p (privilege)
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname not in ('pg_catalog', 'information_schema')
  and n.nspname !~ '^pg_(toast|temp)'
  and has_schema_privilege(%(role)s, n.oid, 'usage')
  and (
      has_table_privilege(%(role)s, c.oid, p.privilege)
      or (p.privilege in ('select', 'insert', 'update', 'references')
          and has_any_column_privilege(%(role)s, c.oid, p.privilege))
  )
order by 1, 2
"""

EXECUTABLE_FUNCTIONS = """
select distinct format('%%I.%%I', n.nspname, p.proname)
from pg_proc as p
join pg_namespace as n on n.oid = p.pronamespace
where n.nspname not in ('pg_catalog', 'information_schema')
  and has_schema_privilege(%(role)s, n.oid, 'usage')
  and has_function_privilege(%(role)s, p.oid, 'execute')
order by 1
"""

USABLE_SEQUENCES = """
select format('%%I.%%I', n.nspname, c.relname)
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where c.relkind = 'S'
  and n.nspname not in ('pg_catalog', 'information_schema')
  and has_schema_privilege(%(role)s, n.oid, 'usage')
  and case when c.relkind = 'S'
      then has_sequence_privilege(%(role)s, c.oid, 'usage, select, update') end
order by 1
"""


def table_privileges(
    admin: psycopg.Connection, role: str, privileges: list[str] = TABLE_PRIVILEGES
) -> list[tuple[str, str]]:
    return admin.execute(
        EFFECTIVE_TABLE_PRIVILEGES, {"role": role, "privileges": privileges}
    ).fetchall()


def functions(admin: psycopg.Connection, role: str) -> set[str]:
    return {row[0] for row in admin.execute(EXECUTABLE_FUNCTIONS, {"role": role})}


def sequences(admin: psycopg.Connection, role: str) -> list[str]:
    return [row[0] for row in admin.execute(USABLE_SEQUENCES, {"role": role})]


def public_tables(admin: psycopg.Connection) -> list[str]:
    return [
        row[0]
        for row in admin.execute(
            "select tablename from pg_tables where schemaname = 'public' order by 1"
        )
    ]


def test_the_project_schemas_hold_the_baskets_tables(admin):
    """Guards the catalog queries below: they see the tables they are meant to judge."""
    tables = set(public_tables(admin))

    assert {
        "momo_sms_inbox",
        "momo_parsed_txns",
        "momo_unmatched",
        "contributions_ledger",
        "contribution_cycles",
        "audit_log",
        "app_settings",
        "profiles",
        "ibimina",
        "ibimina_members",
        "schema_version",
    } <= tables
    assert ("public.momo_sms_inbox", "select") in table_privileges(admin, "app_dba")
    assert "public.momo_sms_inbox_id_seq" in sequences(admin, "postgres")
    assert "public.setting_set" in functions(admin, "app_dba")


# --- app_ingest -------------------------------------------------------------------------------


def test_app_ingest_stores_an_sms_through_momo_sms_ingest(admin, connect_as):
    ingest = connect_as("app_ingest")

    row = ingest.execute(
        "select inbox_id, duplicate from momo_sms_ingest('RWF 1 from A')"
    ).fetchone()

    assert row is not None and row[1] is False
    assert inbox_state(admin) == (1, 0)


def test_app_ingest_holds_no_privilege_on_any_table_or_sequence(admin):
    assert table_privileges(admin, "app_ingest") == []
    assert sequences(admin, "app_ingest") == []


def test_app_ingest_executes_only_the_ingest_and_readiness_functions(admin):
    """/readyz asks app_readiness() through the ingest pool; nothing else is callable."""
    assert functions(admin, "app_ingest") == {
        "public.momo_sms_ingest",
        "public.momo_sms_ingest_batch",
        "public.app_readiness",
    }


@pytest.mark.parametrize(
    "statement",
    [
        "select * from momo_sms_inbox",
        "select count(*) from momo_sms_inbox",
        "insert into momo_sms_inbox (hash, raw_text, received_at) "
        "values (repeat('a', 64), 'forged', now())",
        "update momo_sms_inbox set processed_at = now()",
        "delete from momo_sms_inbox",
        "truncate momo_sms_inbox",
        "select * from contributions_ledger",
        "select * from app_settings",
        "select * from audit_log",
        "select * from schema_version",
        "select setting_set('MOMO_ALLOCATOR_BATCH_SIZE', '1', 'escalation')",
        "select _audit('forged', 'x', null, null, null, null)",
        "select cron.schedule('x', '* * * * *', 'select 1')",
        "select * from cron.job",
    ],
)
def test_app_ingest_is_refused_everything_else(admin, connect_as, statement):
    ingest = connect_as("app_ingest")
    ingest.execute("select momo_sms_ingest('already stored')")
    before = inbox_state(admin)

    with pytest.raises(errors.InsufficientPrivilege):
        ingest.execute(statement)

    assert inbox_state(admin) == before == (1, 0)


# --- app_web ----------------------------------------------------------------------------------


def connect_as_login(db_url: str, login: str) -> psycopg.Connection:
    url = urlparse(db_url)
    netloc = f"{login}@{url.hostname}:{url.port}"
    return psycopg.connect(url._replace(netloc=netloc).geturl(), autocommit=True)


def test_app_web_is_a_noinherit_login(admin):
    row = admin.execute(
        "select rolcanlogin, rolinherit, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls "
        "from pg_roles where rolname = 'app_web'"
    ).fetchone()

    assert row == (True, False, False, False, False, False)


def test_app_web_holds_no_privilege_without_set_role(admin):
    assert table_privileges(admin, "app_web") == []
    assert sequences(admin, "app_web") == []
    assert functions(admin, "app_web") == set()


@pytest.mark.parametrize(
    "statement",
    [
        "select momo_sms_ingest('from the bare login')",
        "select app_readiness()",
        "select * from momo_sms_inbox",
        "insert into audit_log (action, entity) values ('forged', 'x')",
    ],
)
def test_app_web_login_is_refused_without_set_role(admin, db_url, statement):
    with connect_as_login(db_url, "app_web") as web:
        assert web.execute("select current_user").fetchone() == ("app_web",)
        with pytest.raises(errors.InsufficientPrivilege):
            web.execute(statement)

    assert inbox_state(admin) == (0, 0)


def test_app_web_acts_only_after_set_role_to_a_surface_role(admin, db_url):
    with connect_as_login(db_url, "app_web") as web:
        web.execute("set role app_ingest")
        row = web.execute("select duplicate from momo_sms_ingest('via set role')").fetchone()
        assert row == (False,)
        with pytest.raises(errors.InsufficientPrivilege):
            web.execute("set role app_dba")
        with pytest.raises(errors.InsufficientPrivilege):
            web.execute("set role postgres")

    assert inbox_state(admin) == (1, 0)


def test_the_roles_the_api_acts_as_are_the_ones_app_web_may_switch_to(admin):
    granted = admin.execute(
        "select r.rolname from pg_auth_members as m "
        "join pg_roles as r on r.oid = m.roleid "
        "where m.member = 'app_web'::regrole"
    ).fetchall()

    assert {name for (name,) in granted} == set(Role)


# --- app_analyst ------------------------------------------------------------------------------


def test_app_analyst_reads_only_the_monitoring_schema(admin):
    """No Baskets base table (public), no pg_cron table: analysts see monitoring only."""
    readable = table_privileges(admin, "app_analyst", ["select"])

    assert [relation for relation, _ in readable if not relation.startswith("monitoring.")] == []


def test_app_analyst_changes_nothing(admin):
    changes = ["insert", "update", "delete", "truncate", "references", "trigger"]

    assert table_privileges(admin, "app_analyst", changes) == []


@pytest.mark.parametrize(
    "table",
    [
        "momo_sms_inbox",
        "momo_parsed_txns",
        "momo_unmatched",
        "contributions_ledger",
        "audit_log",
        "profiles",
        "app_settings",
    ],
)
def test_app_analyst_is_refused_reading_base_tables(connect_as, table):
    analyst = connect_as("app_analyst")

    with pytest.raises(errors.InsufficientPrivilege):
        analyst.execute(f"select * from {table} limit 1")


# --- app_dba ----------------------------------------------------------------------------------


# The only changes DBAs make without a function, each granted on purpose in db/grants/:
# adding and switching SMS formats (formats are data; constraints check each against its
# sample), and the credit runbook's manual release of a reservation (guarded and audited
# by triggers). Every other table, the Baskets money tables first, is read-only to them.
DBA_DIRECT_CHANGES = {
    ("public.momo_sms_formats", "insert"),
    ("public.momo_sms_formats", "update"),
    # which SMS senders are the operator's (audited by a trigger)
    ("public.momo_provider_senders", "insert"),
    ("public.momo_provider_senders", "update"),
    ("public.momo_provider_senders", "delete"),
    ('public."CreditReservation"', "update"),
}


def test_app_dba_changes_no_table_directly_beyond_the_granted_exceptions(admin):
    changes = ["insert", "update", "delete", "truncate", "references", "trigger"]

    assert set(table_privileges(admin, "app_dba", changes)) == DBA_DIRECT_CHANGES
    assert sequences(admin, "app_dba") == []


@pytest.mark.parametrize(
    "statement",
    [
        "insert into momo_sms_inbox (hash, raw_text, received_at) "
        "values (repeat('b', 64), 'forged', now())",
        "update momo_sms_inbox set processed_at = now(), outcome = 'skipped'",
        "delete from momo_sms_inbox",
        "update app_settings set value = '1' where key = 'MOMO_ALLOCATOR_BATCH_SIZE'",
        "insert into audit_log (action, entity) values ('forged', 'x')",
        "delete from audit_log",
        "update contributions_ledger set amount = 1",
        "insert into profiles (display_name) values ('forged')",
        "truncate momo_unmatched",
    ],
)
def test_app_dba_is_refused_direct_changes(admin, connect_as, statement):
    connect_as("app_ingest").execute("select momo_sms_ingest('already stored')")
    dba = connect_as("app_dba")

    with pytest.raises(errors.InsufficientPrivilege):
        dba.execute(statement)

    assert inbox_state(admin) == (1, 0)
    assert dba.execute("select count(*) from momo_sms_inbox").fetchone() == (1,)


# --- append-only tables -----------------------------------------------------------------------

APP_ROLES = ["app_ingest", "app_allocator", "app_analyst", "app_dba", "app_credits", "app_web"]


@pytest.mark.parametrize("role", APP_ROLES)
def test_no_role_may_update_or_delete_the_ledger_or_the_audit_log(admin, role):
    privileges = table_privileges(admin, role, ["update", "delete", "truncate"])

    assert [
        (relation, privilege)
        for relation, privilege in privileges
        if relation in ("public.contributions_ledger", "public.audit_log")
    ] == []


@pytest.fixture
def ledger_entry(admin) -> int:
    """One real contribution, written as the superuser (the table owner)."""
    row = admin.execute(
        """
        with p as (insert into profiles (whatsapp_e164, display_name)
                   values ('+250788000001', 'Aline') returning user_id),
             g as (insert into ibimina (name) values ('Twiteze imbere') returning id),
             m as (insert into ibimina_members (ikimina_id, user_id)
                   select g.id, p.user_id from g, p returning id, ikimina_id)
        insert into contributions_ledger (ikimina_id, member_id, amount, currency,
                                          cycle_yyyymm, source, txn_id)
        select m.ikimina_id, m.id, 5000, 'RWF', 202501, 'manual', 'T-1' from m
        returning id
        """
    ).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize(
    "statement",
    [
        "update contributions_ledger set amount = 1",
        "update contributions_ledger set meta = '{\"edited\": true}'",
        "delete from contributions_ledger",
        "truncate contributions_ledger cascade",
        "update audit_log set reason = 'rewritten'",
        "delete from audit_log",
        "truncate audit_log",
    ],
)
def test_even_the_table_owner_cannot_rewrite_the_ledger_or_the_audit_log(
    admin, ledger_entry, statement
):
    admin.execute("select _audit('test', 'ledger', '1', 'original reason', null, null)")
    before = admin.execute(
        "select (select array_agg(l order by id)::text from contributions_ledger as l), "
        "(select array_agg(a order by id)::text from audit_log as a)"
    ).fetchone()

    with pytest.raises(psycopg.Error) as raised:
        admin.execute(statement)

    assert raised.value.sqlstate == "MM409"
    assert "append-only" in str(raised.value)
    after = admin.execute(
        "select (select array_agg(l order by id)::text from contributions_ledger as l), "
        "(select array_agg(a order by id)::text from audit_log as a)"
    ).fetchone()
    assert after == before
    assert before[0] is not None and before[1] is not None
