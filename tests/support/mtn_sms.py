"""The MTN Rwanda SMS the parser must read: every example of docs/sources/sms-formats.md
and the spec's sample, each with the fields it parses to (shared by the parse and
allocation tests)."""

from datetime import UTC, datetime
from decimal import Decimal

P2P_MASKED = (
    "You have received 3500 RWF from Aline MUKAMANA (*********482) on your mobile money account "
    "at 2024-06-02 08:15:40. Message from sender: . Your new balance:15200 RWF. "
    "Financial Transaction Id: 51234098765."
)
P2P_FULL = (
    "You have received 20000 RWF from Eric HABIMANA (250781234567) on your mobile money account "
    "at 2024-10-20 11:02:13. Message from sender: M-0042. Your new balance:61200 RWF. "
    "Financial Transaction Id: 28801234567."
)

# (sms, expected fields); times are Kigali local (UTC+2) in the SMS.
CASES = {
    "p2p_received_masked": (
        P2P_MASKED,
        {
            "direction": "in",
            "kind": "p2p_received",
            "format": "mtn_rw_p2p_received",
            "allocatable": True,
            "amount": Decimal("3500"),
            "currency": "RWF",
            "txn_id": "51234098765",
            "txn_ts": datetime(2024, 6, 2, 6, 15, 40, tzinfo=UTC),
            "sender_name": "Aline MUKAMANA",
            "msisdn_e164": None,
            "msisdn_suffix": "482",
            "sender_note": None,
            "confidence": Decimal("1.00"),
        },
    ),
    "p2p_received_full_number_with_code": (
        P2P_FULL,
        {
            "direction": "in",
            "kind": "p2p_received",
            "amount": Decimal("20000"),
            "txn_id": "28801234567",
            "txn_ts": datetime(2024, 10, 20, 9, 2, 13, tzinfo=UTC),
            "sender_name": "Eric HABIMANA",
            "msisdn_e164": "+250781234567",
            "msisdn_suffix": None,
            "sender_note": "M-0042",
        },
    ),
    "spec_sample": (
        "You have received RWF 12,000 from Jean Bosco +250788000001 TxnID ABC123456 "
        "on 2025-01-18 14:20:00.",
        {
            "direction": "in",
            "kind": "p2p_received",
            "format": "spec_sample_received",
            "allocatable": True,
            "amount": Decimal("12000"),
            "currency": "RWF",
            "txn_id": "ABC123456",
            "txn_ts": datetime(2025, 1, 18, 12, 20, tzinfo=UTC),
            "sender_name": "Jean Bosco",
            "msisdn_e164": "+250788000001",
        },
    ),
    "bank_deposit": (
        "*113*R*A bank deposit of 10000 RWF has been added to your mobile money account at "
        "2024-06-03 19:20:01. Your NEW BALANCE :25200 RWF. Cash Deposit::CASH::::0::250780000000."
        "Thank you for using MTN MobileMoney.*EN#",
        {
            "direction": "in",
            "kind": "deposit",
            "allocatable": False,
            "amount": Decimal("10000"),
            "txn_id": None,
            "txn_ts": datetime(2024, 6, 3, 17, 20, 1, tzinfo=UTC),
            "sender_name": None,
            "msisdn_e164": None,
        },
    ),
    "reversal": (
        "*143*S*Your transaction to Jean NIYONZIMA (250789876543) with 3000 RWF has been reversed "
        "at 2024-10-07 14:37:00. Your new balance is 10312 RWF. .Thank you for using MTN "
        "MobileMoney.*EN#",
        {"direction": "in", "kind": "reversal", "allocatable": False, "amount": Decimal("3000")},
    ),
    "payment_txid_first": (
        "TxId: 61234567890. Your payment of 1,500 RWF to Claude NKURUNZIZA 40213 has been "
        "completed at 2024-06-04 12:01:09. Your new balance: 13,700 RWF. Fee was 0 RWF."
        "Kanda*182*16# wiyandikishe muri poromosiyo ...",
        {
            "direction": "out",
            "kind": "payment",
            "amount": Decimal("1500"),
            "txn_id": "61234567890",
            "txn_ts": datetime(2024, 6, 4, 10, 1, 9, tzinfo=UTC),
        },
    ),
    "airtime_payment": (
        "*162*TxId:14012345678*S*Your payment of 2000 RWF to Airtime with token has been completed "
        "at 2024-06-05 09:41:28. Fee was 0 RWF. Your new balance: 11700 RWF . Message: - -. *EN#",
        {"direction": "out", "kind": "payment", "amount": Decimal("2000"), "txn_id": "14012345678"},
    ),
    "transfer_out": (
        "*165*S*5000 RWF transferred to Diane UWASE (250782223344) from 36500000 at 2024-06-06 "
        "20:34:47 . Fee was: 100 RWF. New balance: 6600 RWF. Kugura ama inite cg interineti kuri "
        "MoMo, Kanda *182*2*1# .*EN#",
        {
            "direction": "out",
            "kind": "transfer",
            "amount": Decimal("5000"),
            "msisdn_e164": "+250782223344",
            "sender_name": "Diane UWASE",
        },
    ),
    "merchant_debit": (
        "*164*S*Y'ello,A transaction of 8000 RWF by EXAMPLE PAY LTD on your MOMO account was "
        "successfully completed at 2024-06-15 21:28:58. Message from debit receiver: 1599. Your "
        "new balance:4110 RWF. Fee was 0 RWF. Financial Transaction Id: 13900011122. External "
        "Transaction Id: 478000.*EN#",
        {"direction": "out", "amount": Decimal("8000"), "txn_id": "13900011122"},
    ),
    "agent_withdrawal": (
        "You Aline MUKAMANA (*********036) have via agent: Agent Grace (250783334455), withdrawn "
        "20000 RWF from your mobile money account: 36500000 at 2024-05-26 02:10:27 and you can "
        "now collect your money in cash. Your new balance: 500 RWF. Fee paid: 700 RWF. Message "
        "from agent: . Financial Transaction Id: 14400011122.",
        {
            "direction": "out",
            "kind": "withdrawal",
            "amount": Decimal("20000"),
            "txn_id": "14400011122",
            "txn_ts": datetime(2024, 5, 26, 0, 10, 27, tzinfo=UTC),
        },
    ),
    "transfer_from_bank_linked_account": (
        "You have transferred 50000 RWF to Eric HABIMANA (250781234567) from your mobile money "
        "account 20070000001 imbank.bank at 2024-10-23 16:43:03. Your new balance: . Message from "
        "sender: . Message to receiver: . Financial Transaction Id: 27800011122.",
        {"direction": "out", "amount": Decimal("50000"), "txn_id": "27800011122"},
    ),
    "payment_to_number": (
        "Your payment of 8000 RWF to Claude NKURUNZIZA (250784445566) has been completed at "
        "2024-10-29 13:18:05. Message: . Your new balance: 36282 RWF. Fee was 0 RWF. The amount "
        "was subject to a discount of 0 RWF and coupons worth . Financial Transaction Id: "
        "16500011122. External Transaction Id: -.",
        {"direction": "out", "kind": "payment", "amount": Decimal("8000"), "txn_id": "16500011122"},
    ),
    "bundle_purchase": (
        "Yello!Umaze kugura 2,000FRW(2GB) igura 2,000 RWF",
        {"direction": "out", "amount": Decimal("2000"), "txn_ts_from_sms": False},
    ),
    "failed_transaction": (
        "*143*R*Y'ello, the transaction with amount 14200 RWF for EXAMPLE PAY LTD with message: "
        "1734 failed at 2024-09-21 15:49:01 .Please Contact MobileMoney HelpLine for Assistance."
        "Thank you for using MTN MobileMoney.*EN#",
        {"direction": None, "kind": "failed", "amount": Decimal("14200")},
    ),
    "reversal_initiated": (
        "A reversal has been initiated for your transaction to Jean NIYONZIMA (250789876543) "
        "with 3000 RWF.",
        {"direction": None, "kind": "reversal_initiated", "allocatable": False},
    ),
}
