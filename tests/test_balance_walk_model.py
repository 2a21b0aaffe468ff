"""The set-based balance walk verifies exactly what the walk's definition verifies.

_momo_balance_verify verifies the runs of SMS that link one to the next with window
functions, and from an account's first SMS that does not it walks SMS by SMS (a
recursive query). Here random histories of two collection phones (payments in and
out, bundles notified twice, junk and forged pairs from the operator's sender name,
dropped SMS, late and shuffled arrival, an SMS received long after the time written
in it, an anchor after a break) go through the real ingest and allocator in random
batches. After every batch, momo_balance_history must be exactly what `walk` finds:
the walk's definition read directly (README "Is it real", docs/runbook.md), SMS by
SMS, over the parses the database stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from tests.support.allocation import Phone, add_group, add_member, anchor_account, ingest_from

ACCOUNTS = ("model-phone-1", "model-phone-2")
NUMBER = "250781234567"


@dataclass(frozen=True)
class Parse:
    id: int
    inbox_id: int
    account: str
    txn_ts: datetime
    movement: Decimal
    balance: Decimal | None
    kind: str | None
    sms_time_ok: bool | None


def history(admin: psycopg.Connection) -> dict[int, str]:
    """The verified history as stored: parse id -> chain | anchor."""
    return dict(admin.execute("select parsed_id, verified_how from momo_balance_history"))


def parses(admin: psycopg.Connection) -> list[Parse]:
    """The SMS that move money (the walk's nodes), by the time written in them."""
    rows = admin.execute(
        "select id, inbox_id, account, txn_ts, movement, balance, kind, sms_time_ok "
        "from momo_parsed_txns where movement is not null and txn_ts is not null "
        "order by txn_ts, id"
    ).fetchall()
    return [Parse(*row) for row in rows]


def walk(nodes: list[Parse], verified: dict[int, str], account: str, start_from: datetime) -> None:
    """The walk of one account as defined, SMS by SMS: adds what it verifies to `verified`.

    From the latest verified SMS written before `start_from`, the verified balance so
    far links the next SMS when it plus the SMS's movement (with or without the
    movements stated without a balance since: all of them, or all but a bundle's Yello
    SMS) is the balance the SMS states, unless the next verified SMS after it does not
    link to it in turn (and is no anchor). A verified SMS sets the balance; an SMS
    outside the time window, or one that does not link, is stepped over."""
    own = [n for n in nodes if n.account == account]
    before = [n for n in own if n.id in verified and n.txn_ts < start_from]
    start = before[-1] if before else None
    if start is None:
        stretch = [n for n in own if n.txn_ts >= start_from]
    else:
        stretch = [n for n in own if (n.txn_ts, n.id) > (start.txn_ts, start.id)]
    known = dict(verified)
    current = start.balance if start else None
    loose = loose_other = Decimal(0)
    for i, node in enumerate(stretch):
        if node.id in known:
            current, loose, loose_other = node.balance, Decimal(0), Decimal(0)
        elif node.sms_time_ok is False:
            continue
        elif node.balance is None:
            loose += node.movement
            if node.kind != "bundle_purchase":
                loose_other += node.movement
        elif current is not None and node.balance in (
            current + node.movement,
            current + loose + node.movement,
            current + loose_other + node.movement,
        ):
            ahead = next((n for n in stretch[i + 1 :] if n.id in known), None)
            if (
                ahead is None
                or known[ahead.id] == "anchor"
                or node.balance + ahead.movement == ahead.balance
            ):
                verified[node.id] = "chain"
                current, loose, loose_other = node.balance, Decimal(0), Decimal(0)


def confirm_anchor(
    admin: psycopg.Connection,
    verified: dict[int, str],
    genuine: set[str],
    account: str,
    rng: random.Random,
) -> None:
    """A person confirms, on the phone's statement, one of the account's genuine SMS that
    state a balance and are not verified yet (if any): the walk goes on from it."""
    rows = admin.execute(
        "select p.inbox_id, i.raw_text from momo_parsed_txns as p "
        "join momo_sms_inbox as i on p.inbox_id = i.id "
        "where p.account = %s and p.movement is not null and p.balance is not null "
        "and not exists (select from momo_balance_history as h where h.parsed_id = p.id) "
        "order by p.txn_ts desc, p.id desc",
        (account,),
    ).fetchall()
    candidates = [i for i, text in rows if text in genuine]
    if not candidates:
        return
    inbox_id = rng.choice(candidates[:3])
    admin.execute("select balance_anchor_confirm(%s, 'model: on the statement')", (inbox_id,))
    nodes = parses(admin)
    anchor = next(n for n in nodes if n.inbox_id == inbox_id)
    verified[anchor.id] = "anchor"
    walk(nodes, verified, account, anchor.txn_ts)


def utc(local: datetime, delay: timedelta) -> str:
    """When the phone received an SMS written at `local` (Kigali time): UTC, as gateways say."""
    return (local - timedelta(hours=2) + delay).strftime("%Y-%m-%dT%H:%M:%SZ")


def history_of(phone: Phone, account: str, rng: random.Random, n: int) -> list[tuple]:
    """n events of one phone: (sms, account, received_at, deliver?) in the order written."""
    events: list[tuple] = []
    txn = iter(range(rng.randrange(10**6, 9 * 10**6), 10**8))
    for _ in range(n):
        roll = rng.random()
        delay = timedelta(seconds=rng.randrange(6, 157))
        if roll < 0.4:
            sms = phone.received(rng.randrange(100, 9000), NUMBER, str(next(txn)))
            events.append((sms, account, utc(phone.clock, delay), rng.random() > 0.02, "genuine"))
        elif roll < 0.52:
            first, again = phone.paid(rng.randrange(100, 5000), str(next(txn)))
            events.append((first, account, utc(phone.clock, delay), True, "genuine"))
            if rng.random() < 0.5:
                events.append((again, account, utc(phone.clock, delay * 2), True))
        elif roll < 0.58:
            # notified twice (one movement); sometimes the second SMS never arrives
            yello, payment = phone.bundle_bought(rng.randrange(5, 30) * 100, str(next(txn)))
            events.append((yello, account, utc(phone.clock, delay), True))
            events.append(
                (payment, account, utc(phone.clock, delay * 2), rng.random() > 0.3, "genuine")
            )
        elif roll < 0.64:
            # money out in a wording that states no balance (a movement in between)
            amount = rng.randrange(100, 5000)
            phone.balance -= amount
            sms = (
                f"You have transferred {amount} RWF to Eric HABIMANA (250781234567) from your "
                f"mobile money account 20070000001 imbank.bank at {phone._tick()}. Your new "
                f"balance: . Message from sender: . Message to receiver: . Financial "
                f"Transaction Id: {next(txn)}."
            )
            events.append((sms, account, utc(phone.clock, delay), True))
        elif roll < 0.74:
            made_up = phone.balance + rng.randrange(-5000, 5000)
            sms = phone.forged(rng.randrange(100, 9000), NUMBER, str(next(txn)), made_up)
            events.append((sms, account, utc(phone.clock, delay), True))
        elif roll < 0.8:
            # two forgeries that link to each other, their balance made up
            base = phone.balance + rng.randrange(1, 50) * 1000
            for step, amount in enumerate((rng.randrange(100, 900), rng.randrange(100, 900))):
                base += amount if step else 0
                sms = phone.forged(amount, NUMBER, str(next(txn)), base)
                events.append((sms, account, utc(phone.clock, delay), True))
        elif roll < 0.84:
            # a forgery that links to the genuine SMS before it, arriving after the next
            amount = rng.randrange(100, 9000)
            sms = phone.forged(amount, NUMBER, str(next(txn)), phone.balance + amount)
            events.append((sms, account, utc(phone.clock, delay), "late"))
        elif roll < 0.87:
            # genuine, but forwarded two hours after the time written in it
            sms = phone.received(rng.randrange(100, 9000), NUMBER, str(next(txn)))
            events.append((sms, account, utc(phone.clock, timedelta(hours=2)), True, "genuine"))
        else:
            # genuine, arriving late: after the next few SMS
            sms = phone.received(rng.randrange(100, 9000), NUMBER, str(next(txn)))
            events.append((sms, account, utc(phone.clock, delay), "late", "genuine"))
    return events


def arrival_order(events: list[tuple], rng: random.Random) -> list[tuple]:
    """Delivered ones, shuffled within 4 places; late ones 3 to 8 places later."""
    keyed = []
    for i, event in enumerate(events):
        if event[3] is False:
            continue  # dropped: the gateway never forwarded it
        shift = rng.randrange(3, 9) if event[3] == "late" else rng.uniform(0, 4)
        keyed.append((i + shift, event))
    return [event for _, event in sorted(keyed, key=lambda pair: pair[0])]


@pytest.mark.parametrize("seed", range(8))
def test_the_set_based_walk_verifies_what_the_walk_defines(admin, seed):
    rng = random.Random(seed)
    group = add_group(admin)
    add_member(admin, group, "+" + NUMBER)
    phones = {account: Phone(balance=rng.randrange(10, 100) * 1000) for account in ACCOUNTS}
    verified: dict[int, str] = {}
    for account, phone in phones.items():
        anchor_account(admin, phone, account)
        nodes = parses(admin)
        anchor = next(n for n in reversed(nodes) if n.account == account)
        verified[anchor.id] = "anchor"
        walk(nodes, verified, account, anchor.txn_ts)
    assert history(admin) == verified

    genuine: set[str] = set()
    events = sorted(
        (e for account, phone in phones.items() for e in history_of(phone, account, rng, 40)),
        key=lambda e: e[2],
    )
    genuine.update(e[0] for e in events if "genuine" in e[4:])
    events = [e[:4] for e in events]
    pending = arrival_order(events, rng)
    while pending:
        size = rng.randrange(1, 12)
        for sms, account, received_at, _ in pending[:size]:
            ingest_from(admin, sms, "M-Money", account, received_at)
        pending = pending[size:]
        # the allocator takes what arrived in batches of random size, oldest first
        while claimed := [
            row[0]
            for row in admin.execute(
                "select id from momo_sms_inbox where processed_at is null order by id limit %s",
                (rng.randrange(1, 8),),
            )
        ]:
            admin.execute("select momo_allocate(%s)", (len(claimed),))
            nodes = parses(admin)
            batch = [n for n in nodes if n.inbox_id in claimed]
            for account in sorted({n.account for n in batch}):
                earliest = min(n.txn_ts for n in batch if n.account == account)
                walk(nodes, verified, account, earliest)
            assert history(admin) == verified, f"after the batch of SMS {claimed}"
        if rng.random() < 0.3:
            confirm_anchor(admin, verified, genuine, rng.choice(ACCOUNTS), rng)
            assert history(admin) == verified, "after an anchor"

    # The histories had SMS to step over, and SMS verified after them (by the
    # recursive part of the walk: the window functions stop at the first).
    nodes = parses(admin)
    stepped_over = [n for n in nodes if n.balance is not None and n.id not in verified]
    assert any(
        n.id in verified and verified[n.id] == "chain" and n.txn_ts > skipped.txn_ts
        for skipped in stepped_over
        for n in nodes
        if n.account == skipped.account
    )
