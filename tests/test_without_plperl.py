"""PL/Perl is optional: on a server that cannot install it (a cluster made by
scripts/pg_without_plperl.sh, whose installation has no plperl control file,
as on managed services that offer pg_cron but not plperl), a fresh database
migrates, reads every real-wording SMS as the parsing tests expect, and
allocates a mixed backlog to the same ledger as the test database with PL/Perl.
"""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from bench.backlog import ACCOUNTS, PER_GROUP, create_members, enqueue_mixed_sms, expected_outcomes
from tests.support.database import raises_sqlstate, reset_database, rows, scalar
from tests.support.mtn_sms import CASES

# A cluster of its own, a fresh migration and a 2,000-SMS backlog; and its
# module fixture drops and makes one database, so the module runs in one worker.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLUSTER, DBNAME, DEFAULT_PORT = "noperl", "baskets_without_plperl", "54323"
N_SMS, N_MEMBERS = 2_000, ACCOUNTS * PER_GROUP

# The SMS matcher is left to the server in this module (a MOMO_REGEX_ENGINE run
# must not force Perl on a server that has none).
AUTO = "-c momo.regex_engine=auto"
SCRIPT_ENV = {k: v for k, v in os.environ.items() if k not in ("PGOPTIONS", "MOMO_REGEX_ENGINE")}

LEDGER = """
    select m.member_code, l.cycle_yyyymm, l.amount, l.currency, l.txn_id, l.source
    from contributions_ledger as l
    inner join ibimina_members as m on m.id = l.member_id
    order by l.txn_id
"""


def run_script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run scripts/<name> with the caller's environment less any matcher setting, plus env."""
    return subprocess.run(
        [str(ROOT / "scripts" / name), *args],
        env={**SCRIPT_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def script(name: str, *args: str) -> str:
    done = run_script(name, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def without_plperl() -> str:
    """A freshly created and migrated database on the cluster without PL/Perl."""
    url = script("pg_without_plperl.sh", CLUSTER, DBNAME, DEFAULT_PORT).splitlines()[-1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as server:
        server.execute(f"drop database if exists {DBNAME} with (force)")
        server.execute(f"create database {DBNAME}")
    script("migrate.sh", url)
    return url


@pytest.fixture
def bare(without_plperl: str) -> Iterator[psycopg.Connection]:
    """A superuser connection to that database, reset as the admin fixture resets."""
    with psycopg.connect(without_plperl, autocommit=True, options=AUTO) as conn:
        reset_database(conn)
        yield conn


def test_the_server_cannot_install_plperl(bare):
    assert scalar(bare, "select count(*) from pg_available_extensions where name ~ 'plperl'") == 0
    unavailable = 'extension "plperl" is not available'
    with pytest.raises(psycopg.errors.FeatureNotSupported, match=unavailable):
        bare.execute("create extension plperl")


def test_the_fresh_database_has_no_perl_and_parses_with_postgresql(bare):
    assert rows(bare, "select extname from pg_extension order by 1") == [
        {"extname": "pg_cron"},
        {"extname": "pg_trgm"},
        {"extname": "plpgsql"},
    ]
    assert (
        scalar(
            bare,
            "select count(*) from pg_proc as p inner join pg_language as l on l.oid = p.prolang "
            "where l.lanname ~ 'perl'",
        )
        == 0
    )
    assert scalar(bare, "select _regex_engine()") == "postgres"
    bare.execute("set momo.regex_engine = 'perl'")
    with raises_sqlstate("MM409", "PL/Perl is not installed"):
        bare.execute("select momo_parse_sms('x')")


@pytest.mark.parametrize("name", CASES)
def test_every_real_wording_sms_reads_as_with_plperl(bare, admin, name):
    sms, expected = CASES[name]
    # received_at fixed: it is the time of an SMS that states none
    query = "select * from momo_parse_sms(%s, '2024-10-20 09:00:00+00')"
    without = rows(bare, query, (sms,))
    assert [{k: row[k] for k in expected} for row in without] == [expected]
    assert scalar(admin, "select _regex_engine()") in ("perl", os.environ.get("MOMO_REGEX_ENGINE"))
    assert without == rows(admin, query, (sms,))


def test_a_mixed_backlog_allocates_to_the_same_ledger_as_with_plperl(bare, admin):
    for conn in (bare, admin):
        create_members(conn, N_MEMBERS)
        enqueue_mixed_sms(conn, 1, N_SMS, N_MEMBERS)
        while conn.execute("select momo_allocate(500)").fetchone()[0]["processed"]:
            pass
        outcomes = conn.execute("select outcome, count(*) from momo_sms_inbox group by 1")
        assert Counter(dict(outcomes.fetchall())) == expected_outcomes(1, N_SMS)
    ledger = rows(bare, LEDGER)
    assert len(ledger) == expected_outcomes(1, N_SMS)["allocated"]
    assert ledger == rows(admin, LEDGER)
    cases = "select reason, count(*) from momo_unmatched group by 1 order by 1"
    assert rows(bare, cases) == rows(admin, cases)


PERL_PRESENT = """
    select (select count(*) from pg_extension where extname ~ 'perl'),
        (select count(*) from pg_proc as p inner join pg_language as l on l.oid = p.prolang
         where l.lanname ~ 'perl'),
        _regex_engine()
"""

# \m is a word start for PostgreSQL and a plain m for Perl: the two read it apart.
PERL_READS_APART = (
    "insert into momo_sms_formats (name, provider, kind, direction, keyword, pattern, sample, "
    "description) values ('word_start', 'x', 'p2p_received', 'in', 'received', "
    "'\\mreceived (?<amount>[0-9]+)', 'received 5', 'PostgreSQL-only syntax')"
)


def test_migrating_with_momo_regex_engine_postgres_installs_no_perl(db_url):
    """Where the server offers plperl, MOMO_REGEX_ENGINE=postgres still migrates without
    it; installing plperl later refuses a stored format that Perl would read apart."""
    server_url, name = db_url.rsplit("/", 1)[0], "baskets_forced_postgres_matcher"
    url = f"{server_url}/{name}"
    with psycopg.connect(server_url + "/postgres", autocommit=True) as server:
        server.execute(f"drop database if exists {name} with (force)")
        server.execute(f"create database {name}")
        try:
            done = run_script("migrate.sh", url, MOMO_REGEX_ENGINE="postgres")
            assert done.returncode == 0, done.stderr
            with psycopg.connect(url, autocommit=True, options=AUTO) as conn:
                assert conn.execute(PERL_PRESENT).fetchone() == (0, 0, "postgres")
                # one engine: nothing to disagree with
                conn.execute(PERL_READS_APART)
                conn.execute("create extension plperl")
            done = run_script("migrate.sh", url)
            assert done.returncode != 0
            assert "reads its sample differently in Perl than in PostgreSQL" in done.stderr
            assert "word_start" in done.stderr
            with psycopg.connect(url, autocommit=True, options=AUTO) as conn:
                assert conn.execute(PERL_PRESENT).fetchone() == (1, 0, "postgres")
                conn.execute("delete from momo_sms_formats where name = 'word_start'")
            done = run_script("migrate.sh", url)
            assert done.returncode == 0, done.stderr
            with psycopg.connect(url, autocommit=True, options=AUTO) as conn:
                assert conn.execute(PERL_PRESENT).fetchone() == (1, 1, "perl")
                with pytest.raises(psycopg.errors.CheckViolation):
                    conn.execute(PERL_READS_APART)
        finally:
            server.execute(f"drop database if exists {name} with (force)")
