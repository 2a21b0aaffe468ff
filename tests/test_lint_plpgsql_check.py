"""`make lint` checks every PL/pgSQL function with plpgsql_check
(scripts/plpgsql_check.sh): it fails on a planted error, naming the function,
line and fault, fails on an allow-list entry that no longer matches, and
passes on the tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

# Each test migrates the lint cluster's one database afresh (two workers must not
# share it), as `make lint` does.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# A misspelt column in a branch that no test takes: found before it runs.
PLANTED = """
create or replace function _planted_lint_error(p_rare boolean)
returns numeric
language plpgsql
as $$
begin
    if p_rare then
        return (select sum(amuont) from contributions_ledger);
    end if;
    return 0;
end;
$$;
"""


@pytest.fixture(scope="module")
def lint_url() -> str:
    """The lint cluster's database, as `make lint` starts it."""
    done = subprocess.run(
        [str(ROOT / "scripts" / "pg_local.sh"), "lint", "baskets_lint", "54325"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()[-1]


def run_check(checkout: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(checkout / "scripts" / "plpgsql_check.sh"), url],
        env={"PATH": "/usr/bin:/bin", "PGMIGRATE": str(ROOT / ".venv" / "bin" / "pgmigrate")},
        capture_output=True,
        text=True,
        check=False,
    )


def copy_of_the_tree(tmp_path: Path) -> Path:
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "db", checkout / "db")
    shutil.copytree(ROOT / "scripts", checkout / "scripts")
    return checkout


def test_a_planted_error_fails_the_check_and_is_named(tmp_path, lint_url):
    checkout = copy_of_the_tree(tmp_path)
    (checkout / "db" / "functions" / "baskets" / "_planted_lint_error.sql").write_text(PLANTED)
    done = run_check(checkout, lint_url)
    assert done.returncode == 1
    report = done.stderr.split("plpgsql_check found", 1)[1]
    findings = [line.strip() for line in report.splitlines()[1:]]
    assert findings == [
        '_planted_lint_error(boolean) line 4: error 42703: column "amuont" does not exist'
    ]


def test_a_stale_allow_list_entry_fails_the_check(tmp_path, lint_url):
    checkout = copy_of_the_tree(tmp_path)
    with (checkout / "db" / "lint" / "plpgsql_check_allowed.txt").open("a") as allowed:
        allowed.write("momo_allocate(integer) | a message it never gives\n")
    done = run_check(checkout, lint_url)
    assert done.returncode == 1
    assert 'no finding matches "momo_allocate(integer) | a message it never gives"' in done.stderr


def test_the_tree_passes(lint_url):
    done = run_check(ROOT, lint_url)
    assert done.returncode == 0, done.stderr
    assert "no finding" in done.stdout
