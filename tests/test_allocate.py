"""momo_allocate: every decision, exactly once, explained in the data."""

from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import (
    add_group,
    add_member,
    allocate,
    assert_cycles_match_ledger,
    inbox_outcome,
    ingest,
    ledger_total,
    p2p,
)
from tests.support.mtn_sms import CASES, P2P_MASKED

# These tests are about decisions other than the balance chain (tests/test_balance_chain.py);
# their SMS state made-up balances.
pytestmark = pytest.mark.usefixtures("balance_check_off")

PHONE = "+250781234567"


@pytest.fixture
def group(admin):
    return add_group(admin)


def test_payment_from_a_member_is_allocated_to_ledger_and_cycle(admin, group):
    member = add_member(admin, group, PHONE).member_id
    inbox_id = ingest(admin, p2p(5000, "250781234567", "111"))
    summary = allocate(admin)
    assert summary == {
        "processed": 1,
        "allocated": 1,
        "unmatched": 0,
        "duplicates": 0,
        "skipped": 0,
        "held": 0,
        "errors": [],
    }
    row = admin.execute(
        "select member_id, ikimina_id, amount, currency, cycle_yyyymm, txn_id, source, "
        "meta ->> 'inbox_id', meta ->> 'parsed_id' = parsed_id::text from contributions_ledger"
    ).fetchone()
    assert row == (
        member,
        group,
        Decimal("5000.00"),
        "RWF",
        202410,
        "111",
        "sms",
        str(inbox_id),
        True,
    )
    cycle = admin.execute(
        "select yyyymm, collected_amount, status from contribution_cycles"
    ).fetchone()
    assert cycle == (202410, Decimal("5000.00"), "open")
    assert inbox_outcome(admin, inbox_id) == ("allocated", None, 1, True)


WORK_TABLE_COLUMNS = """
    select array_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) order by a.attnum)
    from pg_attribute as a
    where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped
"""


@pytest.mark.parametrize(
    "older",
    [
        # an early shape
        ["create temp table momo_alloc_work (inbox_id bigint primary key, outcome text)"],
        # today's shape but for its last column (a column added by a later deploy)
        [
            "create temp table momo_alloc_work (like momo_alloc_work_row, primary key (inbox_id))",
            "alter table momo_alloc_work drop column released_hold",
        ],
        # every column, one of another type
        [
            "create temp table momo_alloc_work (like momo_alloc_work_row, primary key (inbox_id))",
            "alter table momo_alloc_work alter column ledger_id type text",
        ],
    ],
    ids=["early", "last-column-missing", "column-type-changed"],
)
def test_a_session_holding_an_older_work_table_makes_it_again(admin, group, older):
    """A pooled session that created momo_alloc_work before a deploy changed its columns."""
    member = add_member(admin, group, PHONE)
    for statement in older:
        admin.execute(statement)
    inbox_id = ingest(admin, p2p(5000, "250781234567", "111"))
    assert allocate(admin)["allocated"] == 1
    assert admin.execute(
        "select member_id from contributions_ledger where inbox_id = %s", (inbox_id,)
    ).fetchone() == (member.member_id,)
    assert (
        admin.execute(WORK_TABLE_COLUMNS, ("pg_temp.momo_alloc_work",)).fetchone()
        == admin.execute(WORK_TABLE_COLUMNS, ("momo_alloc_work_row",)).fetchone()
    )


def test_member_code_in_the_note_allocates_a_masked_payer(admin, group):
    member = add_member(admin, group, "+250788000111", code="M-0042").member_id
    ingest(admin, P2P_MASKED.replace("Message from sender: .", "Message from sender: M-0042."))
    assert allocate(admin)["allocated"] == 1
    assert admin.execute("select member_id from contributions_ledger").fetchone() == (member,)
    assert admin.execute("select meta ->> 'matched_by' from contributions_ledger").fetchone() == (
        "member_code",
    )


def test_gateway_sender_number_is_never_taken_for_the_payer(admin, group):
    add_member(admin, group, PHONE)
    admin.execute("select momo_sms_ingest(%s, %s, null, 'test')", (P2P_MASKED, "+250781234567"))
    summary = allocate(admin)
    assert (summary["allocated"], summary["unmatched"]) == (0, 1)
    assert ledger_total(admin) == (0, 0)


@pytest.mark.parametrize("name", [n for n, (_, e) in CASES.items() if e.get("direction") != "in"])
def test_money_out_or_neither_is_skipped_without_a_ledger_row(admin, group, name):
    add_member(admin, group, "+250789876543")
    add_member(admin, group, "+250782223344")
    inbox_id = ingest(admin, CASES[name][0])
    summary = allocate(admin)
    assert summary["skipped"] == 1
    assert ledger_total(admin) == (0, 0)
    outcome, reason, _, processed = inbox_outcome(admin, inbox_id)
    assert (outcome, processed) == ("skipped", True)
    assert reason in ("skipped_money_out", "skipped_not_money_in")


def test_reversal_is_skipped_even_though_money_comes_in(admin, group):
    add_member(admin, group, "+250789876543")
    inbox_id = ingest(admin, CASES["reversal"][0])
    allocate(admin)
    assert inbox_outcome(admin, inbox_id)[:2] == ("skipped", "skipped_reversal")
    assert ledger_total(admin) == (0, 0)


def unmatched_case(admin) -> tuple:
    row = admin.execute(
        "select reason, status, parsed_id is not null, suggested_member_id from momo_unmatched"
    ).fetchone()
    assert row is not None
    return row


def test_deposit_without_payer_becomes_a_case(admin, group):
    inbox_id = ingest(admin, CASES["bank_deposit"][0])
    assert allocate(admin)["unmatched"] == 1
    assert unmatched_case(admin)[:3] == ("payer_unknown", "open", True)
    assert inbox_outcome(admin, inbox_id)[:2] == ("unmatched", "payer_unknown")
    assert ledger_total(admin) == (0, 0)


def test_unknown_number_is_profile_not_found(admin, group):
    ingest(admin, p2p(100, "250780000999", "1"))
    allocate(admin)
    assert unmatched_case(admin)[0] == "profile_not_found"


def test_profile_without_active_membership_is_membership_not_found(admin, group):
    add_member(admin, group, PHONE, status="inactive")
    ingest(admin, p2p(100, "250781234567", "1"))
    allocate(admin)
    assert unmatched_case(admin)[0] == "membership_not_found"
    assert ledger_total(admin) == (0, 0)


def test_member_of_two_groups_is_membership_ambiguous(admin, group):
    add_member(admin, group, PHONE)
    add_member(admin, add_group(admin), PHONE)
    ingest(admin, p2p(100, "250781234567", "1"))
    allocate(admin)
    assert unmatched_case(admin)[0] == "membership_ambiguous"


def test_member_code_resolves_a_member_of_two_groups(admin, group):
    add_member(admin, group, PHONE, code="A-1")
    second = add_member(admin, add_group(admin), PHONE, code="B-2").member_id
    ingest(admin, p2p(100, "250781234567", "1", note="B-2"))
    assert allocate(admin)["allocated"] == 1
    assert admin.execute("select member_id from contributions_ledger").fetchone() == (second,)


def test_phone_and_code_naming_different_members_is_not_allocated(admin, group):
    add_member(admin, group, PHONE, code="A-1")
    add_member(admin, group, "+250788000222", code="B-2")
    ingest(admin, p2p(100, "250781234567", "1", note="B-2"))
    allocate(admin)
    assert unmatched_case(admin)[0] == "membership_ambiguous"
    assert ledger_total(admin) == (0, 0)


def test_masked_number_only_suggests_a_member(admin, group):
    member = add_member(admin, group, "+250788111482", name="Aline Mukamana").member_id
    ingest(admin, P2P_MASKED)
    allocate(admin)
    assert unmatched_case(admin) == ("profile_not_found", "open", True, member)
    assert ledger_total(admin) == (0, 0)


def test_missing_txn_id_is_txn_id_missing_when_required(admin, group):
    add_member(admin, group, PHONE)
    ingest(admin, p2p(100, "250781234567", "1").split(" Financial")[0])
    allocate(admin)
    assert unmatched_case(admin)[0] == "txn_id_missing"


def test_missing_txn_id_is_allocated_when_not_required(admin, group):
    add_member(admin, group, PHONE)
    admin.execute("select setting_set('MOMO_ALLOCATOR_REQUIRE_TXN_ID', 'false', 'test')")
    ingest(admin, p2p(100, "250781234567", "1").split(" Financial")[0])
    assert allocate(admin)["allocated"] == 1


def test_low_confidence_is_never_allocated(admin, group):
    add_member(admin, group, PHONE)
    ingest(admin, p2p(100, "250781234567", "1", ts="2024-02-30 10:00:00"))
    allocate(admin)
    assert unmatched_case(admin)[0] == "low_confidence"
    assert ledger_total(admin) == (0, 0)


def test_unrecognised_sms_is_low_confidence(admin, group):
    ingest(admin, "Please call me back, 5000 RWF owed")
    allocate(admin)
    assert unmatched_case(admin)[:2] == ("low_confidence", "open")


def test_currency_other_than_the_groups_is_currency_mismatch(admin):
    usd_group = add_group(admin, currency="USD")
    add_member(admin, usd_group, PHONE)
    ingest(admin, p2p(100, "250781234567", "1"))
    allocate(admin)
    assert unmatched_case(admin)[0] == "currency_mismatch"


def test_same_txn_id_twice_is_a_parse_level_duplicate(admin, group):
    add_member(admin, group, PHONE)
    first = ingest(admin, p2p(700, "250781234567", "555"))
    second = ingest(admin, p2p(700, "250781234567", "555"), "2024-10-20T09:05:00Z")
    summary = allocate(admin)
    assert (summary["allocated"], summary["duplicates"]) == (1, 1)
    assert inbox_outcome(admin, second)[:2] == ("duplicate", "duplicate_txn")
    dup = admin.execute(
        "select d.txn_id, d.duplicate_of = o.id from momo_parsed_txns as d, momo_parsed_txns as o "
        "where d.inbox_id = %s and o.inbox_id = %s",
        (second, first),
    ).fetchone()
    assert dup == (None, True)
    assert ledger_total(admin) == (1, Decimal("700.00"))


def test_duplicate_in_a_later_batch_is_still_a_duplicate(admin, group):
    add_member(admin, group, PHONE)
    ingest(admin, p2p(700, "250781234567", "555"))
    allocate(admin)
    later = ingest(admin, p2p(700, "250781234567", "555"), "2024-10-21T09:05:00Z")
    assert allocate(admin)["duplicates"] == 1
    assert inbox_outcome(admin, later)[0] == "duplicate"
    assert ledger_total(admin) == (1, Decimal("700.00"))


def test_txn_already_in_the_ledger_is_a_ledger_level_duplicate(admin, group):
    member = add_member(admin, group, PHONE).member_id
    admin.execute(
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "txn_id, source) values (%s, %s, 700, 'RWF', 202410, '555', 'manual')",
        (group, member),
    )
    inbox_id = ingest(admin, p2p(700, "250781234567", "555"))
    assert allocate(admin)["duplicates"] == 1
    assert inbox_outcome(admin, inbox_id)[:2] == ("duplicate", "duplicate_txn_ledger")
    assert ledger_total(admin) == (1, Decimal("700.00"))


@pytest.mark.parametrize(
    ("local_time", "cycle"),
    [
        ("2024-07-01 00:30:00", 202407),  # 22:30 UTC on 30 June: July in Kigali
        ("2024-06-30 23:59:59", 202406),
        ("2024-12-31 23:30:00", 202412),
        ("2025-01-01 01:59:59", 202501),  # still 2024 in UTC
    ],
)
def test_cycle_month_is_the_kigali_month_of_the_sms(admin, group, local_time, cycle):
    add_member(admin, group, PHONE)
    ingest(admin, p2p(100, "250781234567", "9", ts=local_time))
    allocate(admin)
    assert admin.execute("select cycle_yyyymm from contributions_ledger").fetchone() == (cycle,)
    assert_cycles_match_ledger(admin)


def test_closed_cycle_stays_closed_when_a_late_payment_arrives(admin, group):
    add_member(admin, group, PHONE)
    admin.execute(
        "insert into contribution_cycles (ikimina_id, yyyymm, status) "
        "values (%s, 202410, 'closed')",
        (group,),
    )
    ingest(admin, p2p(300, "250781234567", "1"))
    allocate(admin)
    assert admin.execute("select status, collected_amount from contribution_cycles").fetchone() == (
        "closed",
        Decimal("300.00"),
    )


def test_batch_size_setting_is_the_default_limit(admin, group):
    add_member(admin, group, PHONE)
    for i in range(12):
        ingest(admin, p2p(100, "250781234567", str(i)))
    assert allocate(admin, None)["processed"] == 10
    admin.execute("select setting_set('MOMO_ALLOCATOR_BATCH_SIZE', '1', 'test')")
    assert allocate(admin, None)["processed"] == 1


def test_invalid_limit_is_refused_and_nothing_processed(admin, group):
    ingest(admin, p2p(100, "250781234567", "1"))
    with pytest.raises(psycopg.Error) as error:
        allocate(admin, 0)
    assert error.value.sqlstate == "MM400"
    assert error.value.diag.column_name == "limit"
    assert admin.execute(
        "select count(*) from momo_sms_inbox where processed_at is null"
    ).fetchone() == (1,)


@pytest.fixture
def poison(admin):
    """Any parse of an SMS containing POISON fails unexpectedly (as a bug would)."""
    admin.execute(
        """
        create function pg_temp.poison() returns trigger language plpgsql as $$
        begin
            if new.sender_name like '%POISON%' then raise exception 'simulated bug'; end if;
            return new;
        end $$;
        """
    )
    admin.execute(
        "create trigger test_poison before insert on momo_parsed_txns "
        "for each row execute function pg_temp.poison()"
    )
    yield
    admin.execute("drop trigger test_poison on momo_parsed_txns")


def test_poison_row_does_not_fail_the_batch_and_is_retried_with_backoff(admin, group, poison):
    add_member(admin, group, PHONE)
    good = [ingest(admin, p2p(100, "250781234567", str(i))) for i in range(5)]
    bad = ingest(admin, p2p(100, "250781234567", "66").replace("Payer NAME", "POISON"))
    summary = allocate(admin)
    assert (summary["processed"], summary["allocated"]) == (6, 5)
    assert summary["errors"] == [
        {"inboxId": str(bad), "message": "simulated bug", "attempts": 1, "deadLetter": False}
    ]
    assert all(inbox_outcome(admin, g)[0] == "allocated" for g in good)
    assert inbox_outcome(admin, bad) == (None, "error: simulated bug", 1, False)
    # backoff: not claimed again before next_attempt_at
    assert allocate(admin)["processed"] == 0
    admin.execute("update momo_sms_inbox set next_attempt_at = now() where id = %s", (bad,))
    assert allocate(admin)["errors"][0]["attempts"] == 2


def test_poison_row_becomes_a_dead_letter_after_max_attempts(admin, group, poison):
    admin.execute("select setting_set('MOMO_ALLOCATOR_MAX_ATTEMPTS', '3', 'test')")
    bad = ingest(admin, p2p(100, "250781234567", "66").replace("Payer NAME", "POISON"))
    for attempt in range(1, 4):
        admin.execute("update momo_sms_inbox set next_attempt_at = null where id = %s", (bad,))
        assert allocate(admin)["errors"][0]["attempts"] == attempt
    assert inbox_outcome(admin, bad) == ("dead_letter", "dead_letter: simulated bug", 3, True)
    case = admin.execute("select reason, status, detail from momo_unmatched").fetchone()
    assert case == ("dead_letter", "open", "allocation failed 3 times; last error: simulated bug")
    admin.execute("update momo_sms_inbox set next_attempt_at = null")
    assert allocate(admin)["processed"] == 0


def test_every_processed_row_explains_itself(admin, group):
    add_member(admin, group, PHONE)
    for name, (sms, _) in CASES.items():
        ingest(admin, sms + " " + name)
    ingest(admin, p2p(100, "250781234567", "1"))
    allocate(admin)
    unexplained = admin.execute(
        "select count(*) from momo_sms_inbox where processed_at is null "
        "or (outcome <> 'allocated' and last_error is null)"
    ).fetchone()
    assert unexplained == (0,)
    missing_parse = admin.execute(
        "select count(*) from momo_sms_inbox as i where not exists "
        "(select from momo_parsed_txns as p where p.inbox_id = i.id)"
    ).fetchone()
    assert missing_parse == (0,)
    assert_cycles_match_ledger(admin)


def test_each_inbox_row_of_a_batch_is_written_once(admin, group):
    """The outcome is decided in the work table and written to the inbox once, at the
    end: one row update per SMS, whatever later step decided it (a duplicate found
    when storing, a transaction already in the ledger)."""
    member = add_member(admin, group, PHONE).member_id
    admin.execute(
        "insert into contributions_ledger (ikimina_id, member_id, amount, currency, cycle_yyyymm, "
        "txn_id, source) values (%s, %s, 700, 'RWF', 202410, '900', 'manual')",
        (group, member),
    )
    ids = [
        ingest(admin, p2p(700, "250781234567", "555")),  # allocated
        ingest(admin, p2p(700, "250781234567", "555"), "2024-10-20T09:05:00Z"),  # duplicate
        ingest(admin, p2p(800, "250781234567", "555"), "2024-10-20T09:06:00Z"),  # conflict
        ingest(admin, p2p(700, "250781234567", "900")),  # already in the ledger
        ingest(admin, CASES["transfer_out"][0]),  # skipped
        ingest(admin, P2P_MASKED),  # unmatched
    ]

    with admin.transaction():
        summary = allocate(admin)
        updates = admin.execute(
            "select n_tup_upd from pg_stat_xact_user_tables where relname = 'momo_sms_inbox'"
        ).fetchone()

    assert summary["processed"] == len(ids)
    assert updates == (len(ids),)
    assert [inbox_outcome(admin, i)[:2] for i in ids] == [
        ("allocated", None),
        ("duplicate", "duplicate_txn"),
        ("unmatched", "txn_id_conflict"),
        ("duplicate", "duplicate_txn_ledger"),
        ("skipped", "skipped_money_out"),
        ("unmatched", inbox_outcome(admin, ids[5])[1]),
    ]
    assert all(inbox_outcome(admin, i)[2:] == (1, True) for i in ids)
