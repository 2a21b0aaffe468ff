"""Who paid, when MTN masks the number: collection accounts, name and visible digits,
remembered payers. Every credit names one active member of the group whose phone
received the money; in doubt, a case with the candidates."""

from __future__ import annotations

import json
from datetime import datetime

import psycopg
import pytest

from tests.support.allocation import add_group, add_member, allocate, ledger_total
from tests.support.database import raises_sqlstate, scalar, waits_for_commit
from tests.support.group_simulation import received_sms
from tests.support.operations import ops_snapshot

PHONE_A = "+250788100001"
PHONE_B = "+250788200002"
AT = datetime(2024, 6, 2, 8, 15, 40)


def receive(
    conn: psycopg.Connection,
    account: str,
    name: str,
    number: str,
    txn: str,
    masked: bool = True,
    note: str = "",
    amount: int = 3500,
    sender: str = "M-Money",
) -> int:
    sms = received_sms(amount, name, number, masked, AT, note, 15200, txn)
    row = conn.execute(
        "select inbox_id from momo_sms_ingest(%s, %s, null, 'gateway', null, %s)",
        (sms, sender, account),
    ).fetchone()
    assert row is not None
    return row[0]


def credited(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select member_id, ikimina_id, meta ->> 'matched_by' from contributions_ledger order by id"
    ).fetchall()


def case(conn: psycopg.Connection) -> tuple:
    row = conn.execute(
        "select id, reason, detail, candidates from momo_unmatched where status = 'open'"
    ).fetchone()
    assert row is not None
    return row


@pytest.fixture
def groups(admin):
    a, b = add_group(admin, "Twizigame"), add_group(admin, "Abishyizehamwe")
    admin.execute("select collection_account_add(%s, %s, 'phone A')", (a, PHONE_A))
    admin.execute("select collection_account_add(%s, %s, 'phone B')", (b, PHONE_B))
    return a, b


pytestmark = pytest.mark.usefixtures("balance_check_off")


# -- collection accounts ------------------------------------------------------------


def test_collection_account_add_and_remove_are_audited(admin):
    group = add_group(admin)
    admin.execute("select collection_account_add(%s, %s, 'the phone')", (group, PHONE_A))
    assert admin.execute("select account, ikimina_id from collection_accounts").fetchall() == [
        (PHONE_A, group)
    ]
    admin.execute("select collection_account_remove(%s, 'new phone')", (PHONE_A,))
    assert scalar(admin, "select count(*) from collection_accounts") == 0
    audit = admin.execute(
        "select action, entity_id, reason, before is null, after is null from audit_log "
        "where entity = 'collection_accounts' order by id"
    ).fetchall()
    assert audit == [
        ("collection_account_add", PHONE_A, "the phone", True, False),
        ("collection_account_remove", PHONE_A, "new phone", False, True),
    ]


@pytest.mark.parametrize(
    ("call", "params", "sqlstate", "match"),
    [
        ("select collection_account_add(%s, %s, '  ')", "group,A", "MM400", "reason"),
        ("select collection_account_add(%s, %s, null)", "group,A", "MM400", "reason"),
        ("select collection_account_add(%s, '', 'x')", "group", "MM400", "account is required"),
        (
            "select collection_account_add(gen_random_uuid(), %s, 'x')",
            "A",
            "MM404",
            "does not exist",
        ),
        ("select collection_account_add(%s, %s, 'x')", "other,B", "MM409", "already collects"),
        ("select collection_account_remove('+250700000000', 'x')", "", "MM404", "not a collection"),
        ("select collection_account_remove(%s, '')", "B", "MM400", "reason"),
    ],
)
def test_bad_collection_account_calls_are_refused_and_change_nothing(
    admin, groups, call, params, sqlstate, match
):
    values = {"group": groups[0], "other": groups[0], "A": "+250788300003", "B": PHONE_B}
    args = tuple(values[p] for p in params.split(",") if p)
    before = ops_snapshot(admin)
    accounts = admin.execute("select * from collection_accounts order by account").fetchall()
    with raises_sqlstate(sqlstate, match):
        admin.execute(call, args)
    assert ops_snapshot(admin) == before
    assert (
        admin.execute("select * from collection_accounts order by account").fetchall() == accounts
    )


def test_two_dbas_adding_one_account_to_two_groups_at_once(admin, groups, db_url):
    """The second waits for the first's commit, then is refused: one account, one group."""
    a, b = groups
    results: list[str] = []
    with psycopg.connect(db_url) as first:
        first.execute("set role app_dba")
        first.execute("select collection_account_add(%s, '+250788300003', 'new phone')", (a,))

        def the_other_dba() -> None:
            with psycopg.connect(db_url, autocommit=True) as other:
                other.execute("set role app_dba")
                try:
                    other.execute(
                        "select collection_account_add(%s, '+250788300003', 'new phone')", (b,)
                    )
                    results.append("added")
                except psycopg.Error as exc:
                    results.append(exc.sqlstate or "?")

        waits_for_commit(first, the_other_dba, "the second should wait for the first")
    assert results == ["MM409"]
    assert admin.execute(
        "select ikimina_id from collection_accounts where account = '+250788300003'"
    ).fetchall() == [(a,)]
    assert (
        scalar(admin, "select count(*) from audit_log where action = 'collection_account_add'") == 3
    )


def test_a_removed_account_resolves_as_an_account_of_no_group(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    admin.execute("select collection_account_remove(%s, 'phone lost')", (PHONE_A,))
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "1008")
    assert allocate(admin)["unmatched"] == 1
    assert case(admin)[1] == "profile_not_found"


def test_member_of_two_groups_paying_one_groups_phone_is_credited_to_that_group(admin, groups):
    a, b = groups
    add_member(admin, a, "+250781234567", name="HABIMANA Eric")
    in_b = add_member(admin, b, "+250781234567", name="HABIMANA Eric").member_id
    receive(admin, PHONE_B, "Eric HABIMANA", "+250781234567", "1001", masked=False)
    assert allocate(admin)["allocated"] == 1
    assert credited(admin) == [(in_b, b, "phone")]


def test_member_of_two_groups_masked_is_credited_to_the_group_of_the_phone(admin, groups):
    a, b = groups
    in_a = add_member(admin, a, "+250781234567", name="HABIMANA Eric").member_id
    add_member(admin, b, "+250781234567", name="HABIMANA Eric")
    receive(admin, PHONE_A, "Eric HABIMANA", "+250781234567", "1002")
    assert allocate(admin)["allocated"] == 1
    assert credited(admin) == [(in_a, a, "name_and_digits")]


def test_member_of_a_paying_bs_phone_is_never_credited_to_a(admin, groups):
    a, _b = groups
    add_member(admin, a, "+250781234567", name="HABIMANA Eric", code="A-1")
    receive(admin, PHONE_B, "Eric HABIMANA", "+250781234567", "1003", masked=False, note="A-1")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin) == (0, 0)
    _, reason, detail, _ = case(admin)
    assert reason == "member_of_other_group"
    assert "another group" in detail


def test_an_account_of_no_group_resolves_by_number_as_before(admin):
    group = add_group(admin)
    member = add_member(admin, group, "+250781234567", name="HABIMANA Eric").member_id
    receive(admin, "+250788999999", "Eric HABIMANA", "+250781234567", "1004", masked=False)
    receive(admin, "+250788999999", "Eric HABIMANA", "+250781234567", "1005")
    summary = allocate(admin)
    assert (summary["allocated"], summary["unmatched"]) == (1, 1)
    assert credited(admin) == [(member, group, "phone")]
    assert case(admin)[1] == "profile_not_found"
    assert scalar(admin, "select account from monitoring.accounts_without_group") == "+250788999999"
    alert = "select firing, note from monitoring.alerts where alert = 'account_without_group'"
    assert admin.execute(alert).fetchone() == (False, None)  # no account is tied to a group yet
    admin.execute("select collection_account_add(%s, %s, 'phone A')", (group, PHONE_A))
    assert admin.execute(alert).fetchone() == (True, "accounts: +250788999999")


def test_every_parse_keeps_the_payer_as_the_sms_states_it(admin, groups):
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "1006")
    receive(admin, PHONE_A, "Eric HABIMANA", "+250781234567", "1007", masked=False)
    allocate(admin)
    assert admin.execute(
        "select account, sender_name, msisdn_suffix, msisdn_e164 from momo_parsed_txns "
        "order by txn_id"
    ).fetchall() == [
        (PHONE_A, "Aline MUKAMANA", "482", None),
        (PHONE_A, "Eric HABIMANA", None, "+250781234567"),
    ]


# -- name and visible digits ------------------------------------------------------------


@pytest.mark.parametrize(
    "sim_name",
    [
        "Aline MUKAMANA",
        "MUKAMANA ALINE",
        "Aline Grace MUKAMANA",
        "aline mukamana",
        "Alíne Mukamana.",
    ],
)
def test_name_and_visible_digits_name_one_member(admin, groups, sim_name):
    a, _ = groups
    member = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    add_member(admin, a, "+250788111999", name="UWASE Diane")
    receive(admin, PHONE_A, sim_name, "+250788000482", "2001")
    assert allocate(admin)["allocated"] == 1
    assert credited(admin) == [(member, a, "name_and_digits")]


def test_outsider_with_a_members_digits_but_another_name_is_a_case(admin, groups):
    a, _ = groups
    member = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Diane UWASE", "+250788000482", "2002")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin) == (0, 0)
    _, reason, _, candidates = case(admin)
    assert reason == "payer_not_recognised"
    assert candidates == [
        {
            "member_id": str(member),
            "display_name": "MUKAMANA Aline",
            "member_code": None,
            "names_agree": False,
        }
    ]


def test_analysts_see_the_candidates_without_their_names(admin, groups, connect_as):
    a, _ = groups
    member = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Diane UWASE", "+250788000482", "2009")
    allocate(admin)
    analyst = connect_as("app_analyst")
    assert analyst.execute("select candidates from monitoring.unmatched_open").fetchone() == (
        [{"member_id": str(member), "member_code": None, "names_agree": False}],
    )


def test_outsider_with_a_members_name_but_other_digits_is_a_case(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000483", "2003")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin) == (0, 0)
    assert case(admin)[1:] == (
        "payer_not_recognised",
        "no active member of the group has a number ending in 483 and a name agreeing with "
        "'Aline MUKAMANA' (0 with those digits)",
        None,
    )


def test_one_shared_word_is_not_a_name_that_agrees(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    receive(admin, PHONE_A, "Grace MUKAMANA", "+250788000482", "2004")
    allocate(admin)
    assert ledger_total(admin) == (0, 0)
    assert case(admin)[3][0]["names_agree"] is False


def test_two_members_qualifying_is_a_case_naming_both(admin, groups):
    a, _ = groups
    one = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    two = add_member(admin, a, "+250788222482", name="Aline Grace MUKAMANA").member_id
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "2005")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin) == (0, 0)
    _, reason, _, candidates = case(admin)
    assert reason == "payer_ambiguous"
    assert {c["member_id"] for c in candidates if c["names_agree"]} == {str(one), str(two)}


def test_a_member_of_another_group_with_the_name_and_digits_is_never_credited(admin, groups):
    a, _b = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    receive(admin, PHONE_B, "Aline MUKAMANA", "+250788111482", "2006")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin) == (0, 0)
    # not even suggested: she is not of the group whose phone received it
    assert scalar(admin, "select suggested_member_id from momo_unmatched") is None
    assert case(admin)[1:] == (
        "payer_not_recognised",
        "no active member of the group has a number ending in 482 and a name agreeing with "
        "'Aline MUKAMANA' (0 with those digits)",
        None,
    )


def test_an_inactive_member_is_only_a_candidate_never_credited(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline", status="left")
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "2007")
    allocate(admin)
    assert ledger_total(admin) == (0, 0)
    assert case(admin)[1] == "payer_not_recognised"


def test_member_code_comes_before_name_and_digits(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline", code="T-01")
    other = add_member(admin, a, "+250788111777", name="UWASE Diane", code="T-02").member_id
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "2008", note="T-02")
    assert allocate(admin)["allocated"] == 1
    assert credited(admin) == [(other, a, "member_code")]


# -- remembered payers -------------------------------------------------------------------


def resolve(conn, case_id, member_id, remember=True):
    return conn.execute(
        "select (unmatched_resolve(%s, 'her son pays for her', %s, p_remember_payer => %s)).status",
        (case_id, member_id, remember),
    ).fetchone()


def test_a_remembered_payer_is_allocated_by_itself_afterwards(admin, groups):
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3001")
    allocate(admin)
    case_id = case(admin)[0]
    assert resolve(admin, case_id, mother) == ("resolved",)
    remembered = admin.execute(
        "select ikimina_id, payer_name, msisdn_suffix, msisdn_e164, member_id, case_id "
        "from remembered_payers"
    ).fetchall()
    assert remembered == [(a, "bosco jean niyonzima", "123", None, mother, case_id)]
    audit = scalar(
        admin,
        "select after -> 'remembered_payer' ->> 'payer_name' from audit_log "
        "where action = 'unmatched_resolve'",
    )
    assert audit == "bosco jean niyonzima"

    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3002")
    assert allocate(admin)["allocated"] == 1
    assert credited(admin)[-1] == (mother, a, "remembered_payer")
    assert scalar(admin, "select count(*) from remembered_payers_list") == 1


def test_a_payer_remembered_from_a_full_number_is_known_when_masked_later(admin, groups):
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3020", masked=False)
    allocate(admin)
    resolve(admin, case(admin)[0], mother)
    assert admin.execute(
        "select msisdn_e164, payer_name, msisdn_suffix from remembered_payers"
    ).fetchall() == [("+250788555123", "bosco jean niyonzima", "123")]
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3021")
    # another full number with the same name and last digits is another person
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788666123", "3022", masked=False)
    summary = allocate(admin)
    assert (summary["allocated"], summary["unmatched"]) == (1, 1)
    assert credited(admin)[-1] == (mother, a, "remembered_payer")
    assert scalar(admin, "select count(*) from contributions_ledger where txn_id = '3022'") == 0


def test_a_remembered_payer_never_overrides_a_member_code_naming_someone_else(admin, groups):
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    add_member(admin, a, "+250788111777", name="UWASE Diane", code="T-02")
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3003")
    allocate(admin)
    resolve(admin, case(admin)[0], mother)
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3004", note="T-02")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin)[0] == 1  # only the manual credit
    assert case(admin)[1] == "membership_ambiguous"


def test_a_remembered_payer_only_counts_for_its_group(admin, groups):
    a, _b = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3005")
    allocate(admin)
    resolve(admin, case(admin)[0], mother)
    receive(admin, PHONE_B, "Jean Bosco NIYONZIMA", "+250788555123", "3006")
    assert allocate(admin)["unmatched"] == 1
    assert ledger_total(admin)[0] == 1


def test_forgetting_a_payer_is_audited_and_its_sms_are_cases_again(admin, groups):
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3007")
    allocate(admin)
    resolve(admin, case(admin)[0], mother)
    payer_id = scalar(admin, "select id from remembered_payers")
    admin.execute("select remembered_payer_forget(%s, 'he stopped paying for her')", (payer_id,))
    assert scalar(admin, "select count(*) from remembered_payers") == 0
    assert (
        scalar(admin, "select reason from audit_log where action = 'remembered_payer_forget'")
        == "he stopped paying for her"
    )
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3008")
    assert allocate(admin)["unmatched"] == 1


def test_remembering_for_another_member_is_refused_and_changes_nothing(admin, groups):
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    aunt = add_member(admin, a, "+250788111777", name="UWASE Diane").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3009")
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3010", amount=100)
    allocate(admin)
    first, second = [r[0] for r in admin.execute("select id from momo_unmatched order by id")]
    resolve(admin, first, mother)
    before = ops_snapshot(admin)
    with raises_sqlstate("MM409", "already remembered as paying for member"):
        resolve(admin, second, aunt)
    assert ops_snapshot(admin) == before
    assert scalar(admin, "select count(*) from remembered_payers") == 1


def test_two_treasurers_remembering_one_payer_for_two_members_at_once(admin, groups, db_url):
    """The second waits for the first's commit, then is refused: one payer, one member."""
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    aunt = add_member(admin, a, "+250788111777", name="UWASE Diane").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3013")
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3014", amount=100)
    allocate(admin)
    first, second = [r[0] for r in admin.execute("select id from momo_unmatched order by id")]
    results: list[str] = []
    with psycopg.connect(db_url) as treasurer:
        treasurer.execute("set role app_dba")
        resolve(treasurer, first, mother)

        def the_other_treasurer() -> None:
            with psycopg.connect(db_url, autocommit=True) as other:
                other.execute("set role app_dba")
                try:
                    resolve(other, second, aunt)
                    results.append("resolved")
                except psycopg.Error as exc:
                    results.append(exc.sqlstate or "?")

        waits_for_commit(treasurer, the_other_treasurer, "the second should wait for the first")
    assert results == ["MM409"]
    assert admin.execute("select member_id from remembered_payers").fetchall() == [(mother,)]
    assert scalar(admin, "select count(*) from momo_unmatched where status = 'open'") == 1
    assert ledger_total(admin)[0] == 1


def test_a_remembered_payers_sms_from_an_ordinary_phone_is_never_credited(admin, groups):
    a, _ = groups
    mother = add_member(admin, a, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3015")
    allocate(admin)
    resolve(admin, case(admin)[0], mother)
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3016", sender="+250781111111")
    allocate(admin)
    assert ledger_total(admin)[0] == 1  # only the treasurer's own credit
    assert case(admin)[1] == "sender_not_operator"


def test_resolving_to_a_member_of_another_group_than_the_accounts_is_refused(admin, groups):
    _a, b = groups
    in_b = add_member(admin, b, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, PHONE_A, "Jean Bosco NIYONZIMA", "+250788555123", "3011")
    allocate(admin)
    before = ops_snapshot(admin)
    with raises_sqlstate("MM422", "is not of that group"):
        resolve(admin, case(admin)[0], in_b, remember=False)
    assert ops_snapshot(admin) == before


def test_remembering_needs_a_collection_account_and_a_member(admin):
    group = add_group(admin)
    member = add_member(admin, group, "+250788111482", name="MUKAMANA Aline").member_id
    receive(admin, "+250788999999", "Jean Bosco NIYONZIMA", "+250788555123", "3012")
    allocate(admin)
    before = ops_snapshot(admin)
    with raises_sqlstate("MM422", "not received on a collection account"):
        resolve(admin, case(admin)[0], member)
    with raises_sqlstate("MM400", "only be remembered for a member"):
        resolve(admin, case(admin)[0], None)
    assert ops_snapshot(admin) == before


# -- the safety checks still apply ---------------------------------------------------------


def test_a_payment_sms_not_from_the_operator_is_never_credited(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "4001", sender="+250781111111")
    allocate(admin)
    assert ledger_total(admin) == (0, 0)
    assert case(admin)[1] == "sender_not_operator"


def test_a_replayed_transaction_id_is_credited_once(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "4002")
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "4002", amount=9000)
    allocate(admin)
    assert ledger_total(admin)[0] == 1
    assert case(admin)[1] == "txn_id_conflict"


def test_the_balance_chain_still_holds_a_payer_recognised_by_name(admin, groups):
    admin.execute("update app_settings set value = 'hold' where key = 'MOMO_BALANCE_CHECK'")
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    # Two payments whose balances do not chain: the second moved no money.
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "4003", amount=3500)
    sms = received_sms(
        3500,
        "Aline MUKAMANA",
        "+250788000482",
        True,
        datetime(2024, 6, 2, 9, 0, 0),
        "",
        15200,
        "4004",
    )
    admin.execute(
        "select momo_sms_ingest(%s, 'M-Money', null, 'gateway', null, %s)", (sms, PHONE_A)
    )
    allocate(admin)
    assert scalar(admin, "select count(*) from contributions_ledger where txn_id = '4004'") == 0


def test_cases_and_credits_per_group_and_day(admin, groups):
    a, _ = groups
    add_member(admin, a, "+250788111482", name="MUKAMANA Aline")
    receive(admin, PHONE_A, "Aline MUKAMANA", "+250788000482", "5001")
    receive(admin, PHONE_A, "Diane UWASE", "+250788000482", "5002")
    allocate(admin)
    rows = admin.execute(
        "select ikimina_name, day::text, kind, how, payments, amount "
        "from monitoring.payer_matching_daily order by kind, how"
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("Twizigame", "2024-06-02", "case", "payer_not_recognised", 1),
        ("Twizigame", "2024-06-02", "credit", "name_and_digits", 1),
    ]
    assert json.loads(json.dumps([float(r[5]) for r in rows])) == [3500.0, 3500.0]
