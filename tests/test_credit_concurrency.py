"""Many sessions against one wallet at once: available never below zero, no credit lost."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import psycopg

from tests.support.credits import (
    add_campaign,
    assert_ledger_consistent,
    consume,
    reserve,
    top_up,
    wallet,
)
from tests.support.database import scalar

SESSIONS = 16


def service_connection(db_url: str) -> psycopg.Connection:
    conn = psycopg.connect(db_url, autocommit=True)
    conn.execute("set role app_credits")
    return conn


def test_parallel_reservations_never_overdraw_the_wallet(admin, db_url):
    with service_connection(db_url) as conn:
        top_up(conn, "hot", 100, "pay-1")
    campaigns = [f"c{n}" for n in range(SESSIONS * 3)]
    for campaign in campaigns:
        add_campaign(admin, campaign, "hot")
    start = threading.Barrier(SESSIONS)

    def session(mine: list[str]) -> list[str]:
        outcomes = []
        with service_connection(db_url) as conn:
            start.wait()
            for campaign in mine:
                try:
                    reserve(conn, campaign, 7)
                    outcomes.append("reserved")
                except psycopg.Error as exc:
                    outcomes.append(exc.sqlstate or repr(exc))
        return outcomes

    with ThreadPoolExecutor(SESSIONS) as pool:
        slices = [campaigns[n::SESSIONS] for n in range(SESSIONS)]
        outcomes = [o for result in pool.map(session, slices) for o in result]

    # 100 credits hold exactly 14 reservations of 7; every other attempt is MM402
    assert outcomes.count("reserved") == 14
    assert sorted(set(outcomes)) == ["MM402", "reserved"]
    w = wallet(admin, "hot")
    assert (w["balance"], w["reserved"], w["available"]) == (Decimal(100), Decimal(98), Decimal(2))
    assert_ledger_consistent(admin)


def test_parallel_reserve_consume_release_top_up_and_reconcile_lose_no_credit(admin, db_url):
    with service_connection(db_url) as conn:
        top_up(conn, "hot", 500, "pay-0")
    rounds = 12
    for s in range(SESSIONS):
        for r in range(rounds):
            add_campaign(admin, f"s{s}-r{r}", "hot")
    start = threading.Barrier(SESSIONS + 2)
    stop = threading.Event()
    unexpected: list[str] = []
    charged: list[Decimal] = []
    topped_up: list[Decimal] = [Decimal(500)]
    lock = threading.Lock()

    def client(s: int) -> None:
        rng = random.Random(s)
        with service_connection(db_url) as conn:
            start.wait()
            for r in range(rounds):
                campaign = f"s{s}-r{r}"
                amount = Decimal(rng.randint(1, 60))
                try:
                    held = reserve(conn, campaign, amount)
                    reserve(conn, campaign, amount)  # a retry reserves nothing twice
                    used = Decimal(rng.randint(0, int(amount)))
                    ending = rng.choice(["consume", "status", "release"])
                    if ending == "consume":
                        consume(conn, campaign, used)
                        consume(conn, campaign, used)  # a retry charges nothing twice
                    elif ending == "status":
                        conn.execute(
                            """update "Campaign" set status = 'sent', "creditsUsed" = %s
                               where id = %s""",
                            (used, campaign),
                        )
                    else:
                        conn.execute("select credit_release(%s, 'test')", (held["id"],))
                        used = Decimal(0)
                    with lock:
                        charged.append(used)
                except psycopg.Error as exc:
                    if exc.sqlstate != "MM402":  # short of credit is the one expected refusal
                        with lock:
                            unexpected.append(f"{campaign}: {exc.sqlstate} {exc}")

    def topper() -> None:
        with service_connection(db_url) as conn:
            start.wait()
            for n in range(1, 21):
                top_up(conn, "hot", 25, f"pay-{n}")
                top_up(conn, "hot", 25, f"pay-{n}")  # a retry adds nothing
                with lock:
                    topped_up.append(Decimal(25))

    def reconciler() -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            start.wait()
            while not stop.is_set():
                summary = scalar(conn, "select credit_reconcile()")
                if summary["errors"]:
                    with lock:
                        unexpected.append(f"reconcile: {summary['errors']}")

    with ThreadPoolExecutor(SESSIONS + 2) as pool:
        background = pool.submit(reconciler)
        work = [pool.submit(client, s) for s in range(SESSIONS)] + [pool.submit(topper)]
        for future in work:
            future.result()
        stop.set()
        background.result()

    assert unexpected == []
    assert len(charged) > SESSIONS  # most rounds went through
    w = wallet(admin, "hot")
    assert w["balance"] == sum(topped_up) - sum(charged)
    assert (w["reserved"], w["available"], w["difference"]) == (0, w["balance"], 0)
    assert w["total_credited"] == sum(topped_up) == Decimal(1000)
    assert w["total_debited"] == sum(charged)
    assert_ledger_consistent(admin)
