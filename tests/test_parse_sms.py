"""momo_parse_sms reads every real MTN Rwanda format and the spec's sample field by field."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.support.mtn_sms import CASES, P2P_FULL, P2P_MASKED

FORMATS = Path(__file__).resolve().parent.parent / "docs" / "sources" / "sms-formats.md"


def parse(conn: psycopg.Connection, sms: str, received_at: datetime | None = None) -> dict:
    with conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        cur.execute(
            "select * from momo_parse_sms(%s, %s)",
            (sms, received_at or datetime(2030, 1, 1, tzinfo=UTC)),
        )
        row = cur.fetchone()
    assert row is not None
    return row


# The balance each MTN kind states and the fee of money out (None: the SMS states none).
BALANCES = {
    "p2p_received_masked": (Decimal("15200"), None),
    "p2p_received_full_number_with_code": (Decimal("61200"), None),
    "spec_sample": (None, None),
    "bank_deposit": (Decimal("25200"), None),
    "reversal": (Decimal("10312"), None),
    "payment_txid_first": (Decimal("13700"), Decimal("0")),
    "airtime_payment": (Decimal("11700"), Decimal("0")),
    "transfer_out": (Decimal("6600"), Decimal("100")),
    "merchant_debit": (Decimal("4110"), Decimal("0")),
    "agent_withdrawal": (Decimal("500"), Decimal("700")),
    "transfer_from_bank_linked_account": (None, None),
    "payment_to_number": (Decimal("36282"), Decimal("0")),
    "bundle_purchase": (None, None),
    "failed_transaction": (None, None),
    "reversal_initiated": (None, None),
}


def test_balances_cover_every_case():
    assert set(BALANCES) == set(CASES)


@pytest.mark.parametrize("name", BALANCES)
def test_every_mtn_kind_states_its_balance_and_fee(admin, name):
    row = admin.execute(
        "select balance, fee, confidence from momo_parse_sms(%s)", (CASES[name][0],)
    ).fetchone()
    assert row[:2] == BALANCES[name]
    # balance and fee are the chain's: they never change how well the payment was read
    assert row[2] == CASES[name][1].get("confidence", row[2])


@pytest.mark.parametrize("name", CASES)
def test_every_documented_format_is_parsed_field_by_field(admin, name):
    sms, expected = CASES[name]
    row = parse(admin, sms)
    assert {k: row[k] for k in expected} == expected
    assert row["format"] is not None


def test_cases_cover_every_sms_in_the_formats_document(admin):
    """Every example in docs/sources/sms-formats.md is one of the cases above."""
    with open(FORMATS, encoding="utf-8") as fh:
        examples = [line.strip() for line in fh if line.startswith("    ") and line.strip()]
    examples = [e for e in examples if "{amount}" not in e]  # the spec template itself
    assert len(examples) == len(CASES) - 1  # spec_sample is from the spec, not the document
    ours = {sms for sms, _ in CASES.values()}
    assert set(examples) <= ours


@pytest.mark.parametrize("name", [n for n, (_, e) in CASES.items() if e.get("direction") != "in"])
def test_money_out_and_neither_are_never_allocatable(admin, name):
    row = parse(admin, CASES[name][0])
    assert row["allocatable"] is False


def test_balance_is_never_taken_for_the_amount(admin):
    row = parse(admin, P2P_MASKED)
    assert row["amount"] == Decimal("3500")  # not the balance 15200
    unknown = parse(admin, "Your new balance: 99,000 RWF. Received 1,250 RWF ref 7")
    assert unknown["amount"] == Decimal("1250")


@pytest.mark.parametrize("form", ["0781234567", "250781234567", "+250781234567", "781234567"])
def test_phone_number_forms_normalise_to_one_e164(admin, form):
    sms = P2P_FULL.replace("(250781234567)", f"({form})")
    assert parse(admin, sms)["msisdn_e164"] == "+250781234567"


def test_masked_number_never_becomes_an_e164(admin):
    row = parse(admin, P2P_MASKED)
    assert row["msisdn_e164"] is None
    assert row["msisdn_suffix"] == "482"


def test_sms_time_is_kigali_local_and_received_at_only_a_fallback(admin):
    midnight = P2P_FULL.replace("2024-10-20 11:02:13", "2024-11-01 00:30:00")
    row = parse(admin, midnight, datetime(2024, 11, 5, tzinfo=UTC))
    assert row["txn_ts"] == datetime(2024, 10, 31, 22, 30, tzinfo=UTC)
    assert row["txn_ts_from_sms"] is True
    bundle = parse(admin, CASES["bundle_purchase"][0], datetime(2024, 3, 3, 3, 3, tzinfo=UTC))
    assert bundle["txn_ts"] == datetime(2024, 3, 3, 3, 3, tzinfo=UTC)


def test_time_zone_is_a_setting(admin):
    admin.execute("select setting_set('MOMO_TIMEZONE', 'UTC', 'test')")
    assert parse(admin, P2P_FULL)["txn_ts"] == datetime(2024, 10, 20, 11, 2, 13, tzinfo=UTC)


def test_impossible_date_lowers_confidence_instead_of_failing(admin):
    row = parse(admin, P2P_FULL.replace("2024-10-20", "2024-02-30"))
    assert row["txn_ts_from_sms"] is False
    assert row["confidence"] < Decimal("0.8")


def test_unknown_text_has_low_confidence_and_no_direction(admin):
    row = parse(admin, "Hello, your bundle expires soon. Ref TxId: 77 for 300 RWF")
    assert row["direction"] is None
    assert row["format"] is None
    assert row["kind"] == "unknown"
    assert row["confidence"] <= Decimal("0.3")
    assert row["txn_id"] == "77"


def test_missing_txn_id_in_a_known_format_lowers_confidence(admin):
    row = parse(admin, P2P_FULL.split(" Financial Transaction Id")[0])
    assert row["txn_id"] is None
    assert Decimal("0") < row["confidence"] < Decimal("1")


def test_dba_adds_a_format_with_an_insert(admin, connect_as):
    dba = connect_as("app_dba")
    sms = "Airtel: received 4,000 RWF from KAMANZI (0731234567). Ref 99887766 at 2024-07-01 10:00"
    assert parse(admin, sms)["format"] is None
    dba.execute(
        "insert into momo_sms_formats (name, provider, kind, direction, allocatable, priority, "
        "keyword, pattern, sample, description) values ('airtel_rw_received', 'airtel_rw', "
        "'p2p_received', 'in', true, 12, 'Airtel: received', %s, %s, 'Airtel Money Rwanda')",
        (
            r"Airtel: received (?<amount>[0-9,]+) (?<currency>[A-Z]{3}) from (?<name>[^(]+)"
            r"\((?<msisdn>[0-9]+)\)\. Ref (?<txn_id>[0-9]+) at (?<ts>[0-9: -]+)",
            sms,
        ),
    )
    try:
        row = parse(admin, sms)
        assert (row["format"], row["amount"], row["msisdn_e164"], row["txn_id"]) == (
            "airtel_rw_received",
            Decimal("4000"),
            "+250731234567",
            "99887766",
        )
    finally:
        admin.execute("delete from momo_sms_formats where name = 'airtel_rw_received'")


@pytest.mark.parametrize(
    ("pattern", "sample", "constraint"),
    [
        (r"received (?<amount>[0-9]+)", "received nothing", "momo_sms_formats_sample_matches"),
        (
            r"received (?<amount>[0-9]+) (RWF)",
            "received 5 RWF",
            "momo_sms_formats_all_groups_named",
        ),
        (r"received (?<payer>[0-9]+)", "received 5", "momo_sms_formats_known_fields"),
        # \m (start of a word) exists only in PostgreSQL: Perl, which parses, reads a plain m
        (r"\mreceived (?<amount>[0-9]+)", "received 5", "momo_sms_formats_engines_agree"),
    ],
)
def test_a_broken_format_is_refused_and_not_stored(admin, pattern, sample, constraint):
    before = admin.execute("select count(*) from momo_sms_formats").fetchone()
    with pytest.raises(psycopg.errors.CheckViolation) as error:
        admin.execute(
            "insert into momo_sms_formats (name, provider, kind, direction, keyword, pattern, "
            "sample, description) values ('broken', 'x', 'p2p_received', 'in', 'received', "
            "%s, %s, 'broken')",
            (pattern, sample),
        )
    assert error.value.diag.constraint_name == constraint
    assert admin.execute("select count(*) from momo_sms_formats").fetchone() == before


def test_result_columns_are_the_ones_dbas_read(admin):
    """momo_parse_sms returns momo_parse_row: the same columns, names and order as always."""
    cur = admin.execute("select * from momo_parse_sms(%s)", (CASES["spec_sample"][0],))
    assert [(c.name, c.type_code) for c in cur.description] == [
        (name, admin.adapters.types[type_name].oid)
        for name, type_name in [
            ("direction", "text"),
            ("kind", "text"),
            ("format", "text"),
            ("provider", "text"),
            ("allocatable", "bool"),
            ("amount", "numeric"),
            ("currency", "text"),
            ("txn_id", "text"),
            ("txn_ts", "timestamptz"),
            ("txn_ts_from_sms", "bool"),
            ("sender_name", "text"),
            ("msisdn_e164", "text"),
            ("msisdn_suffix", "text"),
            ("sender_note", "text"),
            ("balance", "numeric"),
            ("fee", "numeric"),
            ("confidence", "numeric"),
        ]
    ]
