"""The matchers behind the parser: _regex_first_match_perl (PL/Perl) and
_regex_first_match_postgres (PL/pgSQL on PostgreSQL's engine) give the same
results; _regex_first_match uses the one _regex_engine() picks."""

import os

import psycopg
import pytest

from tests.support.database import raises_sqlstate, scalar

MATCHERS = ["_regex_first_match_perl", "_regex_first_match_postgres"]


def first_match(admin, matcher, texts, keywords, patterns):
    return admin.execute(
        psycopg.sql.SQL("select ord, pattern_no, groups from {}(%s, %s, %s) order by ord").format(
            psycopg.sql.Identifier(matcher)
        ),
        (texts, keywords, patterns),
    ).fetchall()


@pytest.mark.parametrize("matcher", MATCHERS)
def test_the_first_pattern_in_order_whose_keyword_occurs_wins(admin, matcher):
    rows = first_match(
        admin,
        matcher,
        ["paid 5 RWF", "got 7 RWF", "nothing here", None, "got 8 USD"],
        ["paid", "got", "got"],
        [r"paid ([0-9]+) (RWF)", r"got ([0-9]+) (RWF)", r"got ([0-9]+) ([A-Z]{3})"],
    )
    assert rows == [
        (1, 1, ["5", "RWF"]),
        (2, 2, ["7", "RWF"]),
        (5, 3, ["8", "USD"]),
    ]


@pytest.mark.parametrize("matcher", MATCHERS)
def test_a_pattern_is_not_tried_when_its_keyword_is_absent(admin, matcher):
    rows = first_match(admin, matcher, ["got 7 RWF"], ["absent"], [r"got ([0-9]+)"])
    assert rows == []


@pytest.mark.parametrize("matcher", MATCHERS)
def test_a_group_that_took_no_part_is_null_and_dot_matches_a_newline(admin, matcher):
    rows = first_match(
        admin, matcher, ["got 7\nRWF"], [""], [r"got ([0-9]+).RWF(?: Ref ([0-9]+))?"]
    )
    assert rows == [(1, 1, ["7", None])]


def test_both_matchers_read_every_shipped_sample_alike(admin):
    formats = admin.execute(
        "select array_agg(sample order by id), array_agg(keyword order by id), "
        "array_agg(compiled_pattern order by id) from momo_sms_formats"
    ).fetchone()
    perl = first_match(admin, "_regex_first_match_perl", *formats)
    postgres = first_match(admin, "_regex_first_match_postgres", *formats)
    assert len(perl) >= 13
    assert perl == postgres


def test_every_shipped_format_reads_its_sample_alike_in_both_engines(admin):
    differing = admin.execute(
        "select name from momo_sms_formats "
        "where _regex_captures(sample, compiled_pattern) "
        "is distinct from regexp_match(sample, compiled_pattern)"
    ).fetchall()
    assert admin.execute("select count(*) from momo_sms_formats").fetchone()[0] >= 13
    assert differing == []


@pytest.mark.parametrize(
    ("matcher", "message"),
    [
        ("_regex_first_match_perl", "not a valid Perl regular expression"),
        ("_regex_first_match_postgres", "invalid regular expression"),
    ],
)
def test_an_invalid_pattern_is_a_clear_error(admin, matcher, message):
    with pytest.raises(psycopg.Error, match=message):
        first_match(admin, matcher, ["x"], [""], ["(unclosed"])


@pytest.mark.parametrize("engine", ["perl", "postgres"])
def test_the_setting_picks_the_matcher(admin, engine):
    admin.execute("select set_config('momo.regex_engine', %s, false)", (engine,))
    assert scalar(admin, "select _regex_engine()") == engine
    # \m is a word start for PostgreSQL and a plain m for Perl: the two engines tell apart
    rows = admin.execute(
        r"select pattern_no from _regex_first_match(array['received 5'], array[''], "
        r"array['\mreceived ([0-9]+)'])"
    ).fetchall()
    assert rows == ([] if engine == "perl" else [(1,)])


def test_an_unknown_engine_is_a_clear_error(admin):
    admin.execute("set momo.regex_engine = 'pcre'")
    with raises_sqlstate("MM400", "momo.regex_engine is pcre, not auto, perl or postgres"):
        admin.execute("select _regex_first_match(array['x'], array[''], array['x'])")


def test_the_tests_run_on_the_matcher_they_ask_for(admin):
    """`make test` runs the parsing and allocation tests a second time with
    MOMO_REGEX_ENGINE=postgres: they must then really use the PostgreSQL matcher."""
    asked = os.environ.get("MOMO_REGEX_ENGINE") or "perl"  # auto: PL/Perl is installed here
    assert scalar(admin, "select _regex_engine()") == asked
