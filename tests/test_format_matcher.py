"""The Perl matcher behind the parser: _regex_first_match and _regex_captures."""

import psycopg
import pytest


def first_match(admin, texts, keywords, patterns):
    return admin.execute(
        "select ord, pattern_no, groups from _regex_first_match(%s, %s, %s) order by ord",
        (texts, keywords, patterns),
    ).fetchall()


def test_the_first_pattern_in_order_whose_keyword_occurs_wins(admin):
    rows = first_match(
        admin,
        ["paid 5 RWF", "got 7 RWF", "nothing here", None, "got 8 USD"],
        ["paid", "got", "got"],
        [r"paid ([0-9]+) (RWF)", r"got ([0-9]+) (RWF)", r"got ([0-9]+) ([A-Z]{3})"],
    )
    assert rows == [
        (1, 1, ["5", "RWF"]),
        (2, 2, ["7", "RWF"]),
        (5, 3, ["8", "USD"]),
    ]


def test_a_pattern_is_not_tried_when_its_keyword_is_absent(admin):
    rows = first_match(admin, ["got 7 RWF"], ["absent"], [r"got ([0-9]+)"])
    assert rows == []


def test_a_group_that_took_no_part_is_null_and_dot_matches_a_newline(admin):
    rows = first_match(admin, ["got 7\nRWF"], [""], [r"got ([0-9]+).RWF(?: Ref ([0-9]+))?"])
    assert rows == [(1, 1, ["7", None])]


def test_every_shipped_format_reads_its_sample_alike_in_both_engines(admin):
    differing = admin.execute(
        "select name from momo_sms_formats "
        "where _regex_captures(sample, compiled_pattern) "
        "is distinct from regexp_match(sample, compiled_pattern)"
    ).fetchall()
    assert admin.execute("select count(*) from momo_sms_formats").fetchone()[0] >= 13
    assert differing == []


def test_an_invalid_perl_pattern_is_a_clear_error(admin):
    with pytest.raises(psycopg.Error, match="not a valid Perl regular expression"):
        first_match(admin, ["x"], [""], ["(unclosed"])
