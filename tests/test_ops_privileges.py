"""Who may do what: only app_dba runs corrections; analysts read monitoring and write nothing."""

import psycopg
import pytest

from tests.support.database import scalar
from tests.support.operations import ops_snapshot, scenario

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

DBA_CALLS = [
    ("select ledger_reverse(%s, 'x')", "ledger"),
    ("select ledger_recredit(%s, gen_random_uuid(), 'x')", "ledger"),
    ("select ledger_reallocate(%s, gen_random_uuid(), 'x')", "ledger"),
    ("select unmatched_resolve(%s, 'x')", "case"),
    ("select momo_sms_requeue(%s, 'x')", "inbox"),
    ("select cycle_adjust(%s, 202501, 1, null, 'x')", "group"),
    ("select momo_allocator_pause(%s)", "reason"),
    ("select momo_allocator_resume(%s)", "reason"),
    ("select collection_account_add(%s, 'phone', 'x')", "group"),
    ("select collection_account_remove(%s, 'x')", "reason"),
    ("select remembered_payer_forget(1, %s)", "reason"),
]

DBA_FUNCTIONS = {
    "ledger_reverse(bigint,text)",
    "ledger_recredit(bigint,uuid,text)",
    "ledger_reallocate(bigint,uuid,text)",
    "unmatched_resolve(bigint,text,uuid,numeric,boolean)",
    "momo_sms_requeue(bigint,text)",
    "cycle_adjust(uuid,integer,numeric,text,text)",
    "momo_allocator_pause(text)",
    "momo_allocator_resume(text)",
    "collection_account_add(uuid,text,text)",
    "collection_account_remove(text,text)",
    "remembered_payer_forget(bigint,text)",
}


def _argument(s, kind):
    return {
        "ledger": s.ledger_id,
        "case": s.case_id,
        "inbox": s.unmatched_inbox_id,
        "group": s.member.ikimina_id,
        "reason": "x",
    }[kind]


@pytest.mark.parametrize("role", ["app_analyst", "app_ingest", "app_allocator", "app_credits"])
@pytest.mark.parametrize(("call", "kind"), DBA_CALLS)
def test_only_the_dba_role_may_run_corrections(admin, connect_as, role, call, kind):
    s = scenario(admin)
    before = ops_snapshot(admin)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connect_as(role).execute(call, (_argument(s, kind),))
    assert ops_snapshot(admin) == before


def test_the_web_login_cannot_reach_the_dba_role(admin):
    # app_web switches to the HTTP surfaces' roles; app_dba is not one of them.
    assert scalar(admin, "select pg_has_role('app_web', 'app_dba', 'member')") is False
    for signature in DBA_FUNCTIONS:
        assert (
            scalar(admin, "select has_function_privilege('app_web', %s, 'execute')", (signature,))
            is False
        )


def test_the_dba_functions_are_granted_to_app_dba_only(admin):
    granted = scalar(
        admin,
        "select array_agg(distinct r.rolname order by r.rolname) from pg_roles as r "
        "cross join unnest(%s::text[]) as f (signature) "
        "where has_function_privilege(r.oid, f.signature::regprocedure, 'execute') "
        "and not r.rolsuper",
        (sorted(DBA_FUNCTIONS),),
    )
    assert granted == ["app_dba"]


def test_analysts_hold_no_write_privilege_on_any_table(admin):
    writable = scalar(
        admin,
        "select array_agg(format('%%s.%%s:%%s', n.nspname, c.relname, p.privilege)) "
        "from pg_class as c join pg_namespace as n on n.oid = c.relnamespace "
        "cross join unnest(array['insert', 'update', 'delete', 'truncate', 'references', "
        "'trigger']) as p (privilege) "
        "where n.nspname in ('public', 'monitoring') and c.relkind in ('r', 'p', 'v', 'm') "
        "and has_table_privilege('app_analyst', c.oid, p.privilege)",
    )
    assert writable is None
    # pg_cron grants public some rights on its tables; its schema stays closed to analysts.
    assert scalar(admin, "select has_schema_privilege('app_analyst', 'cron', 'usage')") is False


def test_analysts_may_execute_only_read_only_functions(admin):
    volatile = scalar(
        admin,
        "select array_agg(p.oid::regprocedure::text) from pg_proc as p "
        "where p.pronamespace in ('public'::regnamespace, 'monitoring'::regnamespace) "
        "and has_function_privilege('app_analyst', p.oid, 'execute') and p.provolatile = 'v' "
        "and not exists (select from pg_depend as d where d.objid = p.oid and d.deptype = 'e')",
    )
    assert volatile is None


@pytest.mark.parametrize(
    "statement",
    [
        "insert into monitoring.queue_samples (inbox_unprocessed, inbox_retrying, unmatched_open) "
        "values (1, 0, 0)",
        "delete from monitoring.queue_samples",
        "select _queue_sample()",
        "select _monitoring_history_trim()",
        "select setting_set('MOMO_ALERT_INBOX_UNPROCESSED_ROWS', '1000', 'hide the alert')",
        "update app_settings set value = '1000' where key = 'MOMO_ALERT_INBOX_UNPROCESSED_ROWS'",
        "delete from momo_unmatched",
        "select cron.alter_job(1, active := false)",
        "delete from cron.job_run_details",
        "select momo_allocate(1)",
    ],
)
def test_analysts_cannot_write(admin, connect_as, statement):
    scenario(admin)
    admin.execute("select _queue_sample()")
    before = ops_snapshot(admin)
    samples = scalar(admin, "select count(*) from monitoring.queue_samples")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connect_as("app_analyst").execute(statement)
    assert ops_snapshot(admin) == before
    assert scalar(admin, "select count(*) from monitoring.queue_samples") == samples


@pytest.mark.parametrize(
    "statement",
    [
        "update contributions_ledger set amount = 1",
        "delete from momo_unmatched",
        "update momo_sms_inbox set processed_at = null",
        "update contribution_cycles set collected_amount = 0",
        "insert into audit_log (action, entity) values ('x', 'y')",
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "source) select ikimina_id, member_id, amount, currency, cycle_yyyymm, 'manual' "
        "from contributions_ledger",
        "update momo_allocator_control set paused = false",
        "insert into momo_allocator_control (paused, reason) values (false, 'x')",
        "delete from momo_allocator_faults",
        "update cron.job set active = false",
        "delete from monitoring.queue_samples",
    ],
)
def test_dbas_change_data_only_through_the_functions(admin, connect_as, statement):
    scenario(admin)
    before = ops_snapshot(admin)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        connect_as("app_dba").execute(statement)
    assert ops_snapshot(admin) == before


def test_analysts_and_dbas_read_every_monitoring_view(admin, connect_as):
    scenario(admin)
    views = [
        r[0]
        for r in admin.execute(
            "select relname from pg_class where relnamespace = 'monitoring'::regnamespace "
            "and relkind = 'v' order by relname"
        )
    ]
    assert {"overview", "alerts", "queue_sizes", "cron_jobs", "allocator_status"} <= set(views)
    for role in ("app_analyst", "app_dba"):
        conn = connect_as(role)
        for view in views:
            conn.execute(
                psycopg.sql.SQL("select * from monitoring.{}").format(psycopg.sql.Identifier(view))
            ).fetchall()
