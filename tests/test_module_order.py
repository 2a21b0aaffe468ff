"""Calls between the SQL modules go one way only (docs/architecture.md).

The order is common < baskets < allocator < operations: a function or view may
call one from its own module or an earlier one, never a later one. credits is
apart: it calls only common and itself, and nothing outside it calls credits.

A function's module is the folder of the db/functions/<module>/ file that
creates it, a view's the folder of its db/views/<module>/ file; its calls are
read from the migrated catalog (pg_proc.prosrc, pg_get_viewdef) with comments
and string literals left out, so a message that names a function is not a call.
Calls made through dynamic SQL built at run time are not seen.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent

# The one-way order; credits stands apart and may call only what it lists.
ORDER = ("common", "baskets", "allocator", "operations")
APART = {"credits": ("common", "credits")}

_DEFINITION = re.compile(
    r"^create\s+or\s+replace\s+(function|procedure|view)\s+(?:(monitoring)\.)?(\w+)",
    re.IGNORECASE | re.MULTILINE,
)


def defined_in(kind: str) -> dict[str, str]:
    """Each object name created by a file under db/<kind>/<module>/ -> its module."""
    modules: dict[str, str] = {}
    for path in sorted((ROOT / "db" / kind).glob("*/*.sql")):
        for match in _DEFINITION.finditer(path.read_text()):
            name = match.group(3)
            assert modules.get(name, path.parent.name) == path.parent.name, (
                f"{name} is created in two modules: {modules[name]} and {path.parent.name}"
            )
            modules[name] = path.parent.name
    return modules


def code_only(body: str) -> str:
    """The body without -- and /* */ comments and without '...' string literals."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        if body.startswith("--", i):
            end = body.find("\n", i)
            i = n if end < 0 else end
        elif body.startswith("/*", i):
            end = body.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif body[i] == "'":
            i += 1
            while i < n:
                if body[i] == "'" and body.startswith("''", i):
                    i += 2
                elif body[i] == "'":
                    i += 1
                    break
                else:
                    i += 1
            out.append("''")
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def may_call(caller: str, callee: str) -> bool:
    if caller == callee:
        return True
    if caller in APART:
        return callee in APART[caller]
    if callee in APART or caller not in ORDER or callee not in ORDER:
        return False
    return ORDER.index(callee) <= ORDER.index(caller)


def violations(modules: dict[str, str], bodies: dict[str, str]) -> list[str]:
    """Every call (name followed by a parenthesis, or a view named in a view's
    query) from an object to one in a module it may not call."""
    found: list[str] = []
    names = sorted(modules, key=len, reverse=True)
    for caller, body in sorted(bodies.items()):
        code = code_only(body)
        for callee in names:
            if callee == caller or may_call(modules[caller], modules[callee]):
                continue
            if re.search(rf"(?<![\w\"]){re.escape(callee)}\s*\(", code) or re.search(
                rf"\bmonitoring\.{re.escape(callee)}\b", code
            ):
                found.append(f"{caller} ({modules[caller]}) calls {callee} ({modules[callee]})")
    return found


def test_the_detector_finds_a_planted_call_against_the_order() -> None:
    modules = {
        "b_fn": "baskets",
        "a_fn": "allocator",
        "o_fn": "operations",
        "c_fn": "common",
        "k_fn": "credits",
        "v_allocator": "allocator",
        "v_baskets": "baskets",
    }
    # baskets -> allocator is against the order; allocator -> baskets is fine
    assert violations(modules, {"b_fn": "begin perform a_fn(1); end"}) == [
        "b_fn (baskets) calls a_fn (allocator)"
    ]
    assert violations(modules, {"b_fn": "v := public.a_fn();"}) == [
        "b_fn (baskets) calls a_fn (allocator)"
    ]
    assert violations(modules, {"a_fn": "select b_fn(), c_fn ( )"}) == []
    assert violations(modules, {"o_fn": "call a_fn(); perform b_fn(); select c_fn()"}) == []
    # credits calls only common; nobody calls credits
    assert violations(modules, {"k_fn": "select b_fn(1)"}) == [
        "k_fn (credits) calls b_fn (baskets)"
    ]
    assert violations(modules, {"k_fn": "select c_fn(1)"}) == []
    assert violations(modules, {"o_fn": "select k_fn(1)"}) == [
        "o_fn (operations) calls k_fn (credits)"
    ]
    # a view reading a later module's view
    assert violations(modules, {"v_baskets": "select * from monitoring.v_allocator"}) == [
        "v_baskets (baskets) calls v_allocator (allocator)"
    ]
    # mentions in comments and messages are not calls; a longer name is not a call
    assert (
        violations(
            modules,
            {
                "b_fn": "-- see a_fn()\n/* a_fn() */ raise exception 'use a_fn(), it''s a_fn()';"
                " perform xa_fn(1); perform b_fn_2(1)"
            },
        )
        == []
    )


@pytest.fixture(scope="module")
def catalog(db_url: str) -> tuple[dict[str, str], dict[str, str]]:
    """The migrated database's own functions and monitoring views: name -> body."""
    with psycopg.connect(db_url) as conn:
        functions = conn.execute(
            """
            select p.proname, string_agg(p.prosrc, E'\n')
            from pg_proc as p
            inner join pg_namespace as n on p.pronamespace = n.oid
            where
                n.nspname in ('public', 'monitoring')
                and not exists (
                    select from pg_depend as d
                    where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
                )
            group by p.proname
            """
        ).fetchall()
        views = conn.execute(
            """
            select c.relname, pg_get_viewdef(c.oid)
            from pg_class as c
            inner join pg_namespace as n on c.relnamespace = n.oid
            where n.nspname in ('public', 'monitoring') and c.relkind in ('v', 'm')
                and not exists (
                    select from pg_depend as d
                    where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e'
                )
            """
        ).fetchall()
    return dict(functions), dict(views)


def test_every_function_and_view_has_a_module(
    catalog: tuple[dict[str, str], dict[str, str]],
) -> None:
    functions, views = catalog
    assert set(functions) - set(defined_in("functions")) == set(), (
        "functions in the database that no db/functions/<module>/ file creates"
    )
    assert set(views) - set(defined_in("views")) == set(), (
        "views in the database that no db/views/<module>/ file creates"
    )
    assert {*defined_in("functions").values(), *defined_in("views").values()} <= {
        *ORDER,
        *APART,
    }, "a module folder that is not in the order (add it to ORDER and docs/architecture.md)"


def test_calls_go_one_way_between_modules(
    catalog: tuple[dict[str, str], dict[str, str]],
) -> None:
    functions, views = catalog
    modules = {**defined_in("functions"), **defined_in("views")}
    assert violations(modules, {**functions, **views}) == []


def test_migrations_yml_applies_the_modules_in_the_order() -> None:
    """pgmigrate re-applies the folders in the listed order: a module's files
    come after those of every module it may call."""
    listed = re.findall(
        r"^\s*-\s*functions/(\w+)\s*$", (ROOT / "db" / "migrations.yml").read_text(), re.M
    )
    assert [m for m in listed if m in ORDER] == list(ORDER)
    assert listed.index("credits") > listed.index("common")
