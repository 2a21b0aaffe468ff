"""Savings groups' collection phones over months, in MTN Rwanda's real wording.

What a real group's phone receives (../shared/sms-formats.md): payers' numbers
masked but for the last three digits (now and then complete), rarely a note,
names as the SIM was registered ("First [Middle] SURNAME" or all capitals,
surname first) while the group's list writes "SURNAME First"; relatives paying
for members, outsiders, one person in two groups, and the treasurer's money out,
with running balances that chain on each phone.

Deterministic (seeded), built in Python, stored through the real functions.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg

SURNAMES = [
    "MUKAMANA",
    "HABIMANA",
    "UWASE",
    "NIYONZIMA",
    "MUGISHA",
    "UWIMANA",
    "NSENGIMANA",
    "INGABIRE",
    "HAKIZIMANA",
    "MUKESHIMANA",
    "NIYITEGEKA",
    "UMUTONI",
    "NDAYISABA",
    "IRADUKUNDA",
    "MUREKATETE",
    "BIZIMANA",
    "NYIRAHABIMANA",
    "TUYISENGE",
    "UWERA",
    "KAYITESI",
    "NKURUNZIZA",
    "MUHIRE",
    "UMUHOZA",
    "NIYOMUGABO",
    "RUKUNDO",
    "ISHIMWE",
    "MANIRAHO",
    "UWAMAHORO",
    "GASANA",
    "MUKANDAYISENGA",
    "NZEYIMANA",
    "HARERIMANA",
]
FIRST_NAMES = [
    "Aline",
    "Eric",
    "Diane",
    "Jean",
    "Claude",
    "Marie",
    "Grace",
    "Emmanuel",
    "Solange",
    "Innocent",
    "Vestine",
    "Olivier",
    "Chantal",
    "Patrick",
    "Josiane",
    "Fabrice",
    "Claudine",
    "Theogene",
    "Immaculee",
    "Celestin",
    "Alice",
    "Eugene",
    "Jeanne",
    "Pacifique",
]
MIDDLE_NAMES = ["Claire", "Bosco", "Damascene", "Pierre", "Christine", "Paul"]


def kigali_to_utc(ts: datetime) -> str:
    """A Kigali local time (UTC+2) as the gateway's receivedAt, in UTC."""
    return (ts - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


def received_sms(
    amount: int,
    name: str,
    number: str,
    masked: bool,
    at: datetime,
    note: str,
    balance: int,
    txn: str,
) -> str:
    """MTN's "You have received" SMS, exactly as the phone shows it."""
    digits = number.lstrip("+")
    shown = "*" * (len(digits) - 3) + digits[-3:] if masked else digits
    return (
        f"You have received {amount} RWF from {name} ({shown}) on your mobile money account at "
        f"{at:%Y-%m-%d %H:%M:%S}. Message from sender: {note}. Your new balance:{balance} RWF. "
        f"Financial Transaction Id: {txn}."
    )


def transfer_out_sms(
    amount: int, fee: int, name: str, number: str, at: datetime, balance: int
) -> str:
    """MTN's transfer out (money out, never a contribution), as the phone shows it."""
    return (
        f"*165*S*{amount} RWF transferred to {name} ({number.lstrip('+')}) from 36500000 at "
        f"{at:%Y-%m-%d %H:%M:%S} . Fee was: {fee} RWF. New balance: {balance} RWF. Kugura ama "
        "inite cg interineti kuri MoMo, Kanda *182*2*1# .*EN#"
    )


@dataclass
class Person:
    """Someone who pays: how a group's list writes them and how their SIM is registered."""

    listed_name: str
    sim_name: str
    phone: str


@dataclass
class Payment:
    """One SMS of the simulation and whom it is for (member_id None: not a member's payment)."""

    sms: str
    account: str
    received_at: str
    txn_id: str
    amount: int
    member_id: uuid.UUID | None
    payer: str  # member, relative, outsider, two_groups, money_out
    payer_key: str  # the person who paid (a relative is recognised once)


@dataclass
class CollectionPhone:
    """A group's collection phone: its MTN account's balance and clock."""

    account: str
    balance: int
    clock: datetime

    def at(self, when: datetime) -> datetime:
        # SMS on one phone are never at the same second: keep the chain's order clear.
        self.clock = max(when, self.clock + timedelta(seconds=7))
        return self.clock


@dataclass
class Group:
    name: str
    ikimina_id: uuid.UUID
    phone: CollectionPhone
    members: dict[str, uuid.UUID] = field(default_factory=dict)  # person key -> member id
    codes: dict[str, str] = field(default_factory=dict)


@dataclass
class Simulation:
    groups: list[Group]
    months: list[list[Payment]]
    people: dict[str, Person]


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[tuple[str, str]] = set()
        self.numbers: set[str] = set()

    def person(self, suffix: str | None = None) -> Person:
        while True:
            first, surname = self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES)
            if (first, surname) not in self.used:
                self.used.add((first, surname))
                break
        while True:
            number = f"+2507{self.rng.choice('2389')}{self.rng.randrange(10**7):07d}"
            if suffix:
                number = number[:-3] + suffix
            if number not in self.numbers:
                self.numbers.add(number)
                break
        # How MTN registered the SIM: first name first, or all capitals surname first,
        # now and then with a middle name the group's list leaves out.
        middle = self.rng.choice(MIDDLE_NAMES) if self.rng.random() < 0.3 else None
        style = self.rng.random()
        if style < 0.5:
            sim = " ".join(w for w in (first, middle, surname) if w)
        elif style < 0.8:
            sim = " ".join(w for w in (surname, first.upper(), (middle or "").upper()) if w)
        else:
            sim = " ".join(w for w in (first.upper(), middle and middle.upper(), surname) if w)
        return Person(f"{surname} {first}", sim, number)


def _add_person(conn: psycopg.Connection, person: Person) -> uuid.UUID:
    row = conn.execute(
        "insert into profiles (whatsapp_e164, display_name) values (%s, %s) "
        "on conflict (whatsapp_e164) do update set display_name = excluded.display_name "
        "returning user_id",
        (person.phone, person.listed_name),
    ).fetchone()
    assert row is not None
    return row[0]


def _add_membership(
    conn: psycopg.Connection, group: Group, key: str, user_id: uuid.UUID, code: str
) -> None:
    row = conn.execute(
        "insert into ibimina_members (ikimina_id, user_id, member_code) values (%s, %s, %s) "
        "returning id",
        (group.ikimina_id, user_id, code),
    ).fetchone()
    assert row is not None
    group.members[key] = row[0]
    group.codes[key] = code


def build(conn: psycopg.Connection, seed: int = 19, months: int = 6) -> Simulation:
    """Two groups with their collection phones, and `months` months of their SMS.

    Group A (24 members) and group B (12): one person is a member of both; three of
    A's members and one of B's have a relative who pays for them; two of A's members
    share the last three digits of their number; a member's SIM name disagrees with
    how the group lists her (she is always a case); outsiders send money to A's phone
    now and then, two of them with a member's last digits or a member's name.
    """
    rng = random.Random(seed)
    names = _Names(rng)
    people: dict[str, Person] = {}
    groups = []
    for prefix, name, account, size in (
        ("T", "Twizigame", "+250788100001", 24),
        ("B", "Abishyizehamwe", "+250788200002", 12),
    ):
        row = conn.execute(
            "insert into ibimina (name) values (%s) returning id", (name,)
        ).fetchone()
        assert row is not None
        group = Group(name, row[0], CollectionPhone(account, 50_000, datetime(2024, 5, 1, 7, 0)))
        groups.append(group)
        conn.execute(
            "select collection_account_add(%s, %s, 'the group''s collection phone')",
            (group.ikimina_id, account),
        )
        for i in range(size):
            # Two of A's members share their last three digits.
            person = names.person("482" if prefix == "T" and i in (3, 17) else None)
            key = f"{prefix}{i:02d}"
            people[key] = person
            _add_membership(conn, group, key, _add_person(conn, person), f"{prefix}-{i + 1:02d}")
    a, b = groups
    # A member whose SIM is registered under a name her group does not use.
    people["T05"].sim_name = "NYIRAMANA Beatrice"
    # One person in both groups: the same profile, a membership in B too.
    both = people["T10"]
    row = conn.execute("select user_id from profiles where whatsapp_e164 = %s", (both.phone,))
    _add_membership(conn, b, "T10", row.fetchone()[0], "B-90")
    # Relatives who pay for a member from their own SIM.
    relatives = {
        "R-T01": ("T01", names.person()),
        "R-T08": ("T08", names.person()),
        "R-T20": ("T20", names.person()),
        "R-B03": ("B03", names.person()),
    }
    # Outsiders: one with a member's last digits, one with a member's name, and strangers.
    twin = names.person(people["T02"].phone[-3:])
    namesake = names.person()
    namesake.sim_name = people["T04"].sim_name
    outsiders = {"O-digits": twin, "O-name": namesake, "O-1": names.person(), "O-2": names.person()}
    people.update({k: p for k, (_, p) in relatives.items()})
    people.update(outsiders)

    txn = iter(range(50_000_000_000, 60_000_000_000, 7919))
    out: list[list[Payment]] = []
    for month in range(months):
        start = datetime(2024, 5 + month, 1, 7, 0)
        events: list[tuple[datetime, Group, str, uuid.UUID | None, str]] = []

        def when(day_from: int = 1, day_to: int = 28, start: datetime = start) -> datetime:
            return start + timedelta(
                days=rng.randrange(day_from - 1, day_to), minutes=rng.randrange(0, 13 * 60)
            )

        for group in groups:
            for key, member_id in group.members.items():
                payer = key
                for rel_key, (for_key, _) in relatives.items():
                    # A relative pays for the member most months.
                    if for_key == key and rng.random() < 0.8:
                        payer = rel_key
                kind = "relative" if payer.startswith("R-") else "member"
                if key == "T10":
                    kind = "two_groups"
                events.append((when(), group, payer, member_id, kind))
                if rng.random() < 0.25:  # a second payment in the month
                    events.append((when(10), group, payer, member_id, kind))
        for key in outsiders:
            if rng.random() < 0.6:
                events.append((when(), a, key, None, "outsider"))
        events.sort(key=lambda e: e[0])

        payments: list[Payment] = []
        for at, group, payer, member_id, kind in events:
            person = people[payer]
            phone = group.phone
            amount = rng.choice([2000, 5000, 5000, 10000, 10000, 15000, 20000])
            phone.balance += amount
            stamp = phone.at(at)
            masked = rng.random() < 0.9
            member_key = next((k for k, v in group.members.items() if v == member_id), None)
            note = group.codes[member_key] if member_key and rng.random() < 0.06 else ""
            txn_id = str(next(txn))
            sms = received_sms(
                amount, person.sim_name, person.phone, masked, stamp, note, phone.balance, txn_id
            )
            received = kigali_to_utc(stamp + timedelta(seconds=rng.randrange(6, 157)))
            payments.append(
                Payment(sms, phone.account, received, txn_id, amount, member_id, kind, payer)
            )
        # The treasurer sends the month's collection on: money out, with a fee.
        for group in groups:
            amount = group.phone.balance // 2
            fee = 250
            group.phone.balance -= amount + fee
            stamp = group.phone.at(start + timedelta(days=29))
            sms = transfer_out_sms(
                amount, fee, "Bank AGENT", "+250783334455", stamp, group.phone.balance
            )
            payments.append(
                Payment(
                    sms,
                    group.phone.account,
                    kigali_to_utc(stamp + timedelta(seconds=30)),
                    "",
                    amount,
                    None,
                    "money_out",
                    "treasurer",
                )
            )
        out.append(payments)
    return Simulation(groups, out, people)


def deliver(conn: psycopg.Connection, payments: list[Payment]) -> dict[str, int]:
    """Ingests the payments as the phones' gateways post them (sender M-Money, the
    phone's number as receiving account); returns txn id -> inbox id."""
    inbox: dict[str, int] = {}
    for p in payments:
        row = conn.execute(
            "select inbox_id from momo_sms_ingest(%s, 'M-Money', %s, 'gateway', null, %s)",
            (p.sms, p.received_at, p.account),
        ).fetchone()
        assert row is not None
        inbox[p.txn_id or f"out-{row[0]}"] = row[0]
    return inbox


def allocate_all(conn: psycopg.Connection) -> None:
    while conn.execute("select count(*) from momo_sms_inbox where processed_at is null").fetchone()[
        0
    ]:
        conn.execute("select momo_allocate(1000)")
