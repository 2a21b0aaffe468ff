"""Builders for the allocation tests: MTN SMS, groups, members, ingest and allocate.

Real rows through the real functions (momo_sms_ingest, momo_allocate).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg


def p2p(amount: int, number: str, txn: str, ts: str = "2024-10-20 11:02:13", note: str = "") -> str:
    return (
        f"You have received {amount} RWF from Payer NAME ({number}) on your mobile money account "
        f"at {ts}. Message from sender: {note}. Your new balance:99 RWF. "
        f"Financial Transaction Id: {txn}."
    )


@dataclass(frozen=True)
class Member:
    ikimina_id: uuid.UUID
    member_id: uuid.UUID
    user_id: uuid.UUID
    phone: str | None


def add_group(
    conn: psycopg.Connection, name: str = "Twizigame", currency: str = "RWF"
) -> uuid.UUID:
    row = conn.execute(
        "insert into ibimina (name, currency) values (%s, %s) returning id", (name, currency)
    ).fetchone()
    assert row is not None
    return row[0]


def add_member(
    conn: psycopg.Connection,
    ikimina_id: uuid.UUID,
    phone: str | None,
    name: str = "Payer Name",
    status: str = "active",
    code: str | None = None,
) -> Member:
    """A member of the group; a phone already known is the same person (one profile)."""
    profile = conn.execute(
        "insert into profiles (whatsapp_e164, display_name) values (%s, %s) "
        "on conflict (whatsapp_e164) do update set display_name = excluded.display_name "
        "returning user_id",
        (phone, name),
    ).fetchone()
    assert profile is not None
    row = conn.execute(
        "insert into ibimina_members (ikimina_id, user_id, member_code, status) "
        "values (%s, %s, %s, %s) returning id",
        (ikimina_id, profile[0], code, status),
    ).fetchone()
    assert row is not None
    return Member(ikimina_id, row[0], profile[0], phone)


def ingest(conn: psycopg.Connection, sms: str, received_at: str | None = None) -> int:
    row = conn.execute(
        "select inbox_id from momo_sms_ingest(%s, 'M-Money', %s, 'test')", (sms, received_at)
    ).fetchone()
    assert row is not None
    return row[0]


def allocate(conn: psycopg.Connection, limit: int | None = 1000) -> dict:
    row = conn.execute("select momo_allocate(%s)", (limit,)).fetchone()
    assert row is not None
    return row[0]


def inbox_outcome(conn: psycopg.Connection, inbox_id: int) -> tuple:
    """(outcome, last_error, attempts, processed) of one inbox row."""
    row = conn.execute(
        "select outcome, last_error, attempts, processed_at is not null from momo_sms_inbox "
        "where id = %s",
        (inbox_id,),
    ).fetchone()
    assert row is not None
    return row


def unprocessed(conn: psycopg.Connection) -> int:
    """How many SMS the allocator has not processed yet."""
    row = conn.execute("select count(*) from momo_sms_inbox where processed_at is null").fetchone()
    assert row is not None
    return row[0]


def ledger_total(conn: psycopg.Connection) -> tuple:
    row = conn.execute(
        "select count(*), coalesce(sum(amount), 0) from contributions_ledger"
    ).fetchone()
    assert row is not None
    return row


def assert_cycles_match_ledger(conn: psycopg.Connection) -> None:
    drift = conn.execute(
        """
        select count(*) from contribution_cycles as c
        full join (
            select ikimina_id, cycle_yyyymm, sum(amount) as total
            from contributions_ledger group by 1, 2
        ) as l on l.ikimina_id = c.ikimina_id and l.cycle_yyyymm = c.yyyymm
        where c.collected_amount is distinct from l.total
        """
    ).fetchone()
    assert drift == (0,)


def assert_exactly_once(admin: psycopg.Connection, expected: Counter[str]) -> None:
    """A generated backlog allocated each exactly once, no forgery credited. `expected`: its
    outcome counts, from the generator (`bench.backlog.expected_outcomes(first, last)`; the
    caller asks it, so test support does not depend on the benchmarks)."""
    # The next pg_cron run: a credit held because its neighbour was in another
    # session's batch, not yet committed, links now.
    admin.execute("select momo_allocate(1)")
    outcomes = Counter(
        dict(admin.execute("select outcome, count(*) from momo_sms_inbox group by 1").fetchall())
    )
    assert outcomes == expected
    # every allocated SMS has exactly one ledger row, and nothing else has one
    mismatched = admin.execute(
        """
        select count(*) from momo_sms_inbox as i
        where (i.outcome = 'allocated')
            <> exists (select from contributions_ledger as l where l.inbox_id = i.id)
        """
    ).fetchone()
    assert mismatched == (0,)
    ledger = admin.execute(
        "select count(*), count(distinct txn_id), count(distinct inbox_id) "
        "from contributions_ledger"
    ).fetchone()
    assert ledger == (outcomes["allocated"],) * 3
    # every delivered SMS was parsed once
    assert admin.execute("select count(*) from momo_parsed_txns").fetchone() == (expected.total(),)
    # no forged payment (bench.backlog.FORGERIES: transaction ids 2...) was ever credited
    forged = admin.execute("select count(*) from contributions_ledger where txn_id like '2%'")
    assert forged.fetchone() == (0,)
    assert_cycles_match_ledger(admin)


def ingest_from(
    conn: psycopg.Connection,
    sms: str,
    sender: str | None,
    source: str,
    received_at: str | None = None,
) -> int:
    """Store an SMS as the gateway `source` forwarded it from `sender`."""
    row = conn.execute(
        "select inbox_id from momo_sms_ingest(%s, %s, %s, %s)", (sms, sender, received_at, source)
    ).fetchone()
    assert row is not None
    return row[0]


@dataclass
class Phone:
    """A collection phone's MTN account: the SMS it receives state balances that chain,
    one minute apart (Kigali local time)."""

    balance: int = 100_000
    clock: datetime = field(default_factory=lambda: datetime(2024, 10, 20, 8, 0, 0))

    def _tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return self.clock.strftime("%Y-%m-%d %H:%M:%S")

    def received(self, amount: int, number: str, txn: str) -> str:
        self.balance += amount
        return (
            f"You have received {amount} RWF from Payer NAME ({number}) on your mobile money "
            f"account at {self._tick()}. Message from sender: . Your new balance:{self.balance} "
            f"RWF. Financial Transaction Id: {txn}."
        )

    def forged(self, amount: int, number: str, txn: str, balance: int) -> str:
        """A payment SMS that moved no money, with a made-up balance."""
        return (
            f"You have received {amount} RWF from Payer NAME ({number}) on your mobile money "
            f"account at {self._tick()}. Message from sender: . Your new balance:{balance} RWF. "
            f"Financial Transaction Id: {txn}."
        )

    def paid(self, amount: int, txn: str) -> tuple[str, str]:
        """A payment out, notified twice as MTN does: TxId first, then the plain form."""
        self.balance -= amount
        at = self._tick()
        return (
            f"TxId: {txn}. Your payment of {amount:,} RWF to Shop NAME 40213 has been completed "
            f"at {at}. Your new balance: {self.balance:,} RWF. Fee was 0 RWF.",
            f"Your payment of {amount} RWF to Shop NAME (250784445566) has been completed at "
            f"{at}. Message: . Your new balance: {self.balance} RWF. Fee was 0 RWF. "
            f"Financial Transaction Id: {txn}.",
        )

    def bundle(self, amount: int) -> tuple[str, str]:
        """A bundle bought with mobile money: the SMS states no balance and no time, so it
        is placed by the gateway's receivedAt (returned, UTC)."""
        self.balance -= amount
        self._tick()
        received_at = (self.clock - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return f"Yello!Umaze kugura {amount:,}FRW(2GB) igura {amount:,} RWF", received_at

    def bundle_bought(self, amount: int, txn: str) -> tuple[str, str]:
        """A bundle bought with mobile money, notified twice as MTN does (one movement):
        the Yello SMS (no time, no balance) and the *162*TxId payment to Bundles and Packs."""
        self.balance -= amount
        at = self._tick()
        return (
            f"Yello!Umaze kugura {amount:,}FRW(2GB) igura {amount:,} RWF",
            f"*162*TxId:{txn}*S*Your payment of {amount} RWF to Bundles and Packs with token has "
            f"been completed at {at}. Fee was 0 RWF. Your new balance: {self.balance} RWF . "
            "Message: - -. *EN#",
        )


SMS_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def phone_received_at(sms: str, delay: timedelta = timedelta(seconds=20)) -> str | None:
    """When a phone receives a MoMo SMS: `delay` after the Kigali time written in it (UTC,
    as a gateway reports it); None for an SMS that states no time."""
    found = SMS_TIME.search(sms)
    if found is None:
        return None
    written = datetime.strptime(found.group(0), "%Y-%m-%d %H:%M:%S") - timedelta(hours=2)
    return (written + delay).strftime("%Y-%m-%dT%H:%M:%SZ")


def deliver_received(
    conn: psycopg.Connection, sms: str, account: str, sender: str | None = "M-Money"
) -> int:
    """Store an SMS as a collection phone's gateway forwards it: the operator's sender,
    the account, and the time the phone received it (phone_received_at)."""
    return ingest_from(conn, sms, sender, account, phone_received_at(sms))


def anchor_account(conn: psycopg.Connection, phone: Phone, account: str) -> int:
    """A person confirms the account's balance: a payment out the phone makes (stating
    its balance) is allocated (skipped, money out) and confirmed as the account's anchor
    with balance_anchor_confirm. Returns its inbox id."""
    inbox_id = deliver_received(
        conn, phone.paid(100, f"9{phone.balance}{phone.clock:%d%H%M%S}")[0], account
    )
    allocate(conn)
    conn.execute(
        "select balance_anchor_confirm(%s, 'test: balance checked on the phone')", (inbox_id,)
    )
    return inbox_id
