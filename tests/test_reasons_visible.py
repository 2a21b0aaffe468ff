"""A reason or note must say something: a visible character (issue 24, item 4).

Found from the catalog: every p_reason / p_note argument of every function an
app role may execute is refused with MM400, naming it, when it holds only
whitespace, control or invisible characters; nothing is written.
"""

from __future__ import annotations

import pytest

from tests.support.credits import add_campaign, reserve, top_up
from tests.support.database import raises_sqlstate, scalar
from tests.support.operations import scenario
from tests.support.refusals import APP_ROLES, everything_written

# The scenarios post the spec sample wording, which states no balance: about
# money and reasons, not the balance chain (which has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

BLANKS = ("", " ", "\t", " \t\n", "\r\n", "\u00a0", "\u200b", "\u2003\ufeff", "\u3000", "\x0b")


REASON_ARGUMENTS = """
select p.oid::regprocedure::text, p.proname, p.pronargs, u.name, u.position::int,
    (select r.role from unnest(%s::text[]) as r (role)
     where has_function_privilege(r.role, p.oid, 'execute') limit 1) as role
from pg_proc as p
cross join lateral unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[])
    with ordinality as u (name, type, position)
where p.pronamespace = 'public'::regnamespace
    and u.type = 'text'::regtype and u.name in ('p_reason', 'p_note')
    and exists (
        select from unnest(%s::text[]) as r (role)
        where has_function_privilege(r.role, p.oid, 'execute')
    )
order by 1
"""

# The column an MM400 names for it, where the API's name differs from the argument's.
API_NAMES = {("credit_release", "p_reason"): "reason"}


def test_visible_character_rule(admin):
    for blank in BLANKS:
        assert scalar(admin, "select _has_visible_character(%s)", (blank,)) is False, repr(blank)
    for text in ("x", " ok ", "é", "🙂", "Eric paid for Aline", "\u200bx"):
        assert scalar(admin, "select _has_visible_character(%s)", (text,)) is True, repr(text)
    assert scalar(admin, "select _has_visible_character(null)") is False


def test_every_reason_and_note_argument_needs_a_visible_character(admin, connect_as):
    found = admin.execute(REASON_ARGUMENTS, (list(APP_ROLES), list(APP_ROLES))).fetchall()
    names = {name for _, name, *_ in found}
    # The known ones are among them (the walk finds what it should).
    assert {
        "ledger_reverse",
        "ledger_recredit",
        "ledger_reallocate",
        "unmatched_resolve",
        "momo_sms_requeue",
        "cycle_adjust",
        "setting_set",
        "credit_release",
        "momo_allocator_pause",
        "momo_allocator_resume",
    } <= names
    before = everything_written(admin)
    for signature, name, nargs, argument, position, role in found:
        conn = connect_as(role)
        for blank in BLANKS:
            args = [None] * nargs
            args[position - 1] = blank
            placeholders = ", ".join(["%s"] * nargs)
            with raises_sqlstate("MM400") as info:
                conn.execute(f"select {name}({placeholders})", tuple(args))
            assert info.value.diag.column_name == API_NAMES.get((name, argument), argument), (
                f"{signature} accepted the reason {blank!r}: check it first with the shared "
                f"_require_text({argument}, '...', '{argument}'), not btrim",
                str(info.value),
            )
    assert everything_written(admin) == before


def test_item_4_a_reason_of_whitespace_is_no_reason(admin, connect_as):
    s = scenario(admin)
    top_up(admin, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    r = reserve(admin, "c1", 10)
    dba = connect_as("app_dba")
    before = everything_written(admin)
    with raises_sqlstate("MM400", "a reason is required to reverse"):
        dba.execute("select ledger_reverse(%s, E' \\t\\n')", (s.ledger_id,))
    with raises_sqlstate("MM400", "a release reason is required"):
        dba.execute("select credit_release(%s, E'\\t\\n')", (r["id"],))
    with raises_sqlstate("MM400", "a note is required"):
        dba.execute("select unmatched_resolve(%s, E'\\t')", (s.case_id,))
    # The runbook's Option B (a DBA releases a reservation by hand) holds the same rule.
    with raises_sqlstate("MM400", "needs meta.releaseReason"):
        dba.execute(
            """update "CreditReservation" set status = 'released', """
            """meta = meta || '{"releaseReason": "\\t\\u00a0"}' where id = %s""",
            (r["id"],),
        )
    assert everything_written(admin) == before


@pytest.mark.parametrize("reason", ["ticket 12", "é"])
def test_a_visible_reason_still_goes_through(admin, connect_as, reason):
    s = scenario(admin)
    connect_as("app_dba").execute("select ledger_reverse(%s, %s)", (s.ledger_id, reason))
    assert scalar(admin, "select reason from audit_log where action = 'ledger_reverse'") == reason
