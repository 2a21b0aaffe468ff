"""Money is always a finite, exact number (issue 24, items 1 and 2).

What counts as money is explicit and found from the catalog: every numeric
column of the MONEY_TABLES, every numeric argument of a function some app role
may execute, every setting of value_type 'amount'. A numeric column, argument or
setting that is not money is listed in NOT_MONEY with the reason, so a new one
fails test_every_numeric_is_classified until someone decides which it is.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.support.allocation import add_group, add_member
from tests.support.credits import add_campaign, reserve, top_up
from tests.support.database import raises_sqlstate, rows, scalar
from tests.support.operations import scenario
from tests.support.refusals import APP_ROLES, everything_written

# The scenarios post the spec sample wording, which states no balance: about
# money and reasons, not the balance chain (which has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

BAD_AMOUNTS = ("NaN", "Infinity", "-Infinity", "0.005", "1e17")

MONEY_TABLES = {
    "contributions_ledger",
    "contribution_cycles",
    "Wallet",
    "Campaign",
    "CreditReservation",
    "CreditTransaction",
}

NOT_MONEY = {
    # momo_parsed_txns: what an SMS says, parsed by _momo_amount (at most 2 decimals,
    # below 1e16, positive); money of record is the ledger row the allocator posts.
    "momo_parsed_txns.amount": "parsed SMS text, checked again by the ledger",
    "momo_parsed_txns.balance": "parsed SMS text (the account's balance, never posted)",
    "momo_parsed_txns.fee": "parsed SMS text (never posted)",
    "momo_parsed_txns.movement": "derived from the parsed amount and fee (the balance chain)",
    "momo_parsed_txns.confidence": "a parse score between 0 and 1",
    "setting MOMO_ALLOCATOR_MIN_CONFIDENCE": "a parse score between 0 and 1",
}


NUMERIC_COLUMNS = """
select c.relname, a.attname
from pg_attribute as a
join pg_class as c on c.oid = a.attrelid
where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and a.attnum > 0 and not a.attisdropped
    and a.atttypid in ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype)
order by 1, 2
"""

# Numeric arguments of every function an app role may execute (its callable surface).
NUMERIC_ARGUMENTS = """
select p.proname, u.name
from pg_proc as p
cross join lateral unnest(p.proargnames[1:p.pronargs], p.proargtypes::oid[]) as u (name, type)
where p.pronamespace = 'public'::regnamespace
    and u.type in ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype)
    and exists (
        select from unnest(%s::text[]) as r (role)
        where has_function_privilege(r.role, p.oid, 'execute')
    )
order by 1, 2
"""


def classified_columns(admin: psycopg.Connection) -> list[tuple[str, str]]:
    return [
        (table, column)
        for table, column in admin.execute(NUMERIC_COLUMNS).fetchall()
        if table in MONEY_TABLES
    ]


def test_every_numeric_is_classified(admin):
    unclassified = [
        f"{table}.{column}"
        for table, column in admin.execute(NUMERIC_COLUMNS).fetchall()
        if table not in MONEY_TABLES and f"{table}.{column}" not in NOT_MONEY
    ]
    unclassified += [
        f"{function}({argument})"
        for function, argument in admin.execute(NUMERIC_ARGUMENTS, (list(APP_ROLES),)).fetchall()
        if (function, argument) not in MONEY_CALLS and f"{function}({argument})" not in NOT_MONEY
    ]
    unclassified += [
        f"setting {key}"
        for (key,) in admin.execute(
            "select key from app_settings where value_type = 'numeric'"
        ).fetchall()
        if f"setting {key}" not in NOT_MONEY
    ]
    assert unclassified == [], (
        "numeric columns, arguments or settings that are neither money (MONEY_TABLES, "
        "MONEY_CALLS, value_type 'amount') nor listed in NOT_MONEY: classify them"
    )


# ---- every numeric column of every money table ---------------------------------------


def valid_rows(admin: psycopg.Connection) -> dict[str, dict[str, Any]]:
    """A valid new row per money table (its parents exist), as column -> value."""
    group = add_group(admin)
    member = add_member(admin, group, "+250788000001")
    top_up(admin, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    add_campaign(admin, "c2", "s1")
    r = reserve(admin, "c1", 10)
    return {
        "contributions_ledger": {
            "ikimina_id": group,
            "member_id": member.member_id,
            "amount": "1",
            "currency": "RWF",
            "cycle_yyyymm": 202501,
            "source": "manual",
        },
        "contribution_cycles": {
            "ikimina_id": group,
            "yyyymm": 202502,
            "expected_amount": "1",
            "collected_amount": "0",
        },
        "Wallet": {"shopId": "s2", "balance": "0"},
        "Campaign": {"id": "c3", "shopId": "s1", "name": "c3", "creditsUsed": "1"},
        "CreditReservation": {
            "shopId": "s1",
            "campaignId": "c2",
            "amount": "1",
            "expiresAt": "2999-01-01",
        },
        "CreditTransaction": {
            "shopId": "s1",
            "type": "debit",
            "amount": "1",
            "reservationId": r["id"],
        },
    }


def insert(conn: psycopg.Connection, table: str, row: dict[str, Any]) -> None:
    columns = psycopg.sql.SQL(", ").join(psycopg.sql.Identifier(c) for c in row)
    values = psycopg.sql.SQL(", ").join(psycopg.sql.Placeholder() for _ in row)
    conn.execute(
        psycopg.sql.SQL("insert into {} ({}) values ({})").format(
            psycopg.sql.Identifier(table), columns, values
        ),
        tuple(row.values()),
    )


def test_every_money_column_refuses_nan_infinity_and_a_third_decimal(admin):
    base = valid_rows(admin)
    columns = classified_columns(admin)
    assert {table for table, _ in columns} == MONEY_TABLES  # every money table has money
    before = everything_written(admin)
    for table, column in columns:
        for bad in BAD_AMOUNTS:
            row = base[table] | {column: bad}
            # The trigger refuses it with MM400 naming the column ...
            with raises_sqlstate("MM400") as info, admin.transaction():
                insert(admin, table, row)
            assert info.value.diag.column_name == column, (table, column, bad)
            # ... and the table's checks hold even with every trigger off.
            with raises_sqlstate("23514"), admin.transaction():
                admin.execute("set local session_replication_role = replica")
                insert(admin, table, row)
        # One check of the column's own says so (finite, 2 decimals, within numeric(18, 2)).
        check = scalar(
            admin,
            "select pg_get_constraintdef(k.oid) from pg_constraint as k "
            "join pg_attribute as a on a.attrelid = k.conrelid and a.attnum = any(k.conkey) "
            "where k.conrelid = %s::regclass and a.attname = %s and k.conname like '%%money'",
            (psycopg.sql.Identifier(table).as_string(admin), column),
        )
        for part in ("<> 'NaN'", "> '-10000000000000000'", "< '10000000000000000'", "round("):
            assert part in check, (table, column, check)
    assert everything_written(admin) == before
    # The valid rows themselves go in, with exactly two decimals (nothing rounded).
    with admin.transaction(force_rollback=True):
        for table in ("contribution_cycles", "Wallet", "Campaign"):
            insert(admin, table, base[table])
        assert scalar(admin, """select "creditsUsed"::text from "Campaign" where id = 'c3'""") == (
            "1.00"
        )


# ---- every money argument of every function an app role may execute ---------------

Setup = Callable[[psycopg.Connection], tuple[Any, ...]]


def for_unmatched_resolve(admin: psycopg.Connection) -> tuple[Any, ...]:
    s = scenario(admin)
    # No parsed amount (a dead letter's case, say): p_amount is what gets posted.
    admin.execute(
        "update momo_parsed_txns set amount = null "
        "where id = (select parsed_id from momo_unmatched where id = %s)",
        (s.case_id,),
    )
    return (s.case_id, s.other.member_id)


def for_cycle_adjust(admin: psycopg.Connection) -> tuple[Any, ...]:
    return (add_group(admin),)


def for_credits(admin: psycopg.Connection) -> tuple[Any, ...]:
    top_up(admin, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    return ()


def for_credit_consume(admin: psycopg.Connection) -> tuple[Any, ...]:
    for_credits(admin)
    reserve(admin, "c1", 50)
    return ()


# (function, argument) -> (setup, call with the amount last, role, the name MM400 gives)
MONEY_CALLS: dict[tuple[str, str], tuple[Setup, str, str, str]] = {
    ("unmatched_resolve", "p_amount"): (
        for_unmatched_resolve,
        "select unmatched_resolve(%s, 'paid by Eric', %s, %s::numeric)",
        "app_dba",
        "p_amount",
    ),
    ("cycle_adjust", "p_expected_amount"): (
        for_cycle_adjust,
        "select cycle_adjust(%s, 202501, %s::numeric, null, 'group agreed')",
        "app_dba",
        "p_expected_amount",
    ),
    ("credit_top_up", "p_amount"): (
        for_credits,
        "select credit_top_up('s2', %s::numeric, 'pay-2')",
        "app_credits",
        "amount",
    ),
    ("credit_reserve", "p_amount"): (
        for_credits,
        "select credit_reserve('c1', %s::numeric)",
        "app_credits",
        "amount",
    ),
    ("credit_consume", "p_used"): (
        for_credit_consume,
        "select credit_consume('c1', %s::numeric)",
        "app_credits",
        "used",
    ),
}


@pytest.mark.parametrize("bad", BAD_AMOUNTS)
@pytest.mark.parametrize("argument", sorted(MONEY_CALLS), ids=lambda a: f"{a[0]}.{a[1]}")
def test_every_money_argument_refuses_nan_infinity_and_a_third_decimal(
    admin, connect_as, argument, bad
):
    setup, call, role, column = MONEY_CALLS[argument]
    params = setup(admin)
    conn = connect_as(role)
    before = everything_written(admin)
    with raises_sqlstate("MM400") as info:
        conn.execute(call, (*params, bad))
    assert info.value.diag.column_name == column
    assert everything_written(admin) == before
    # The same call with a good amount goes through: it was the amount that was refused.
    conn.execute(call, (*params, "10.50"))
    assert everything_written(admin) != before


def test_every_amount_setting_refuses_nan_infinity_and_a_third_decimal(admin, connect_as):
    keys = [
        k
        for (k,) in admin.execute(
            "select key from app_settings where value_type = 'amount'"
        ).fetchall()
    ]
    assert "MOMO_ALLOCATOR_MAX_AMOUNT" in keys
    dba = connect_as("app_dba")
    before = everything_written(admin)
    for key in keys:
        for bad in ("NaN", "Infinity", "0.005", "1e17", "0", "-5"):
            with raises_sqlstate("MM400", "not a valid amount"):
                dba.execute("select setting_set(%s, %s, 'test')", (key, bad))
            with raises_sqlstate("23514"), admin.transaction():
                admin.execute("set local session_replication_role = replica")
                admin.execute("update app_settings set value = %s where key = %s", (bad, key))
    for key in ("MOMO_ALLOCATOR_MIN_CONFIDENCE",):
        for bad in ("NaN", "Infinity"):
            with raises_sqlstate("MM400", "not a valid numeric"):
                dba.execute("select setting_set(%s, %s, 'test')", (key, bad))
    assert everything_written(admin) == before
    dba.execute("select setting_set('MOMO_ALLOCATOR_MAX_AMOUNT', '5000000.50', 'test')")
    assert scalar(admin, "select _setting('MOMO_ALLOCATOR_MAX_AMOUNT')") == "5000000.50"


# ---- the reproductions --------------------------------------------------------


def test_item_1_a_nan_amount_cannot_poison_the_ledger(admin, connect_as):
    s = scenario(admin)
    dba = connect_as("app_dba")
    before = everything_written(admin)
    for amount in ("NaN", "Infinity"):
        with raises_sqlstate("MM400", "p_amount must be") as info:
            dba.execute(
                "select unmatched_resolve(%s, 'x', %s, %s::numeric)",
                (s.case_id, s.other.member_id, amount),
            )
        assert info.value.diag.column_name == "p_amount"
    group = s.member.ikimina_id
    for amount, match in (("NaN", "must be a number"), ("1e17", "out of range")):
        with raises_sqlstate("MM400", match) as info:
            dba.execute(
                "select cycle_adjust(%s, 202501, %s::numeric, null, 'why')", (group, amount)
            )
        assert info.value.diag.column_name == "p_expected_amount"
    assert everything_written(admin) == before
    totals = rows(admin, "select * from monitoring.ledger_totals")
    assert all(str(v) != "NaN" for row in totals for v in row.values())


def test_item_2_amounts_are_never_rounded_silently(admin, connect_as):
    s = scenario(admin)
    top_up(admin, "s1", 100, "pay-1")
    add_campaign(admin, "c1", "s1")
    reserve(admin, "c1", 50)
    before = everything_written(admin)
    with raises_sqlstate("MM400", "at most 2 decimals, got 10.005"):
        connect_as("app_dba").execute(
            "select unmatched_resolve(%s, 'x', %s, 10.005)", (s.case_id, s.other.member_id)
        )
    svc = connect_as("app_credits")
    with raises_sqlstate("MM400", "at most 2 decimals, got 1.005") as info:
        svc.execute(
            """update "Campaign" set status = 'sent', "creditsUsed" = 1.005 where id = 'c1'"""
        )
    assert info.value.diag.column_name == "creditsUsed"
    assert everything_written(admin) == before
    assert Decimal(scalar(admin, """select balance from "Wallet" where "shopId" = 's1'""")) == 100
