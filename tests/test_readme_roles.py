"""README's Roles table says exactly what each role may execute, read and write.

The table is parsed from README.md and compared, both ways, with what the catalog
says of the migrated database: a grant added without the README, or a README line
whose grant went away, fails here with the difference.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
COLUMNS = ("executes", "reads", "writes")

EXECUTABLE = """
select format('%%s.%%s', n.nspname, p.proname)
from pg_proc as p
join pg_namespace as n on n.oid = p.pronamespace
where n.nspname not in ('pg_catalog', 'information_schema')
  and has_schema_privilege(%(role)s, n.oid, 'usage')
  and has_function_privilege(%(role)s, p.oid, 'execute')
"""

# Tables, views and matviews the role may use with any of the given privileges (column
# grants count).
RELATIONS = """
select format('%%s.%%s', n.nspname, c.relname)
from pg_class as c
join pg_namespace as n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f')
  and n.nspname not in ('pg_catalog', 'information_schema')
  and has_schema_privilege(%(role)s, n.oid, 'usage')
  and (
      has_table_privilege(%(role)s, c.oid, %(table_privileges)s)
      or has_any_column_privilege(%(role)s, c.oid, %(column_privileges)s)
  )
"""

MONITORING_RELATIONS = """
select format('monitoring.%%s', c.relname)
from pg_class as c
where c.relnamespace = 'monitoring'::regnamespace and c.relkind in ('r', 'p', 'v', 'm', 'f')
"""


def readme_roles_table() -> dict[str, dict[str, set[str]]]:
    """Role -> column -> the backticked names in that cell of README's Roles table."""
    text = README.read_text()
    section = re.search(r"^## Roles\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README.md has no '## Roles' section"
    table = [line for line in section.group(1).splitlines() if line.startswith("|")]
    assert len(table) > 2, "the Roles section has no table"
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header[0] == "role" and set(COLUMNS) <= set(header), header
    result: dict[str, dict[str, set[str]]] = {}
    for line in table[2:]:
        cells = dict(
            zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True)
        )
        role = cells["role"].strip("`")
        assert role not in result, f"{role} has two rows"
        result[role] = {
            column: {qualified(name) for name in re.findall(r"`([^`]+)`", cells[column])}
            for column in COLUMNS
        }
    return result


def qualified(name: str) -> str:
    """`"Wallet"` -> public.Wallet; `monitoring.*` stays as it is."""
    name = name.replace('"', "")
    return name if "." in name else f"public.{name}"


@pytest.fixture(scope="module")
def catalog(db_url: str) -> Iterator[psycopg.Connection]:
    """Reads the catalog only (no test data), so no reset."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        yield conn


def granted(conn: psycopg.Connection, role: str) -> dict[str, set[str]]:
    """What the catalog says `role` may execute, read and write, with every relation of the
    monitoring schema written as `monitoring.*` when the role holds that privilege on all."""

    def names(query: str, **params: str) -> set[str]:
        return {row[0] for row in conn.execute(query, {"role": role, **params})}

    reads = names(RELATIONS, table_privileges="select", column_privileges="select")
    writes = names(
        RELATIONS,
        table_privileges="insert, update, delete, truncate",
        column_privileges="insert, update",
    )
    monitoring = names(MONITORING_RELATIONS)
    assert monitoring, "the monitoring schema has no relations"
    as_written = {}
    for column, found in (("reads", reads), ("writes", writes)):
        if monitoring <= found:
            found = (found - monitoring) | {"monitoring.*"}
        as_written[column] = found
    return {"executes": names(EXECUTABLE), **as_written}


def test_readme_names_every_app_role_once(catalog: psycopg.Connection) -> None:
    roles = {
        row[0] for row in catalog.execute("select rolname from pg_roles where rolname ~ '^app_'")
    }
    assert set(readme_roles_table()) == roles


@pytest.mark.parametrize("role", sorted(readme_roles_table()))
def test_readme_roles_table_matches_the_grants(catalog: psycopg.Connection, role: str) -> None:
    documented = readme_roles_table()[role]
    actual = granted(catalog, role)
    for column in COLUMNS:
        assert documented[column] == actual[column], (
            f"README's Roles table, {role}, {column}: "
            f"granted but not in README {sorted(actual[column] - documented[column])}, "
            f"in README but not granted {sorted(documented[column] - actual[column])}"
        )
