"""Credit reservation throughput: reserve + consume, over 1,000 shops and on one hot shop.

Each client is its own connection acting as app_credits, as the credits service
would; every campaign is reserved (credit_reserve) and then consumed
(credit_consume), each call its own transaction. Prints operations per second
and call latencies; asserts nothing about timings.

Usage: DATABASE_URL=postgresql://... python bench/credits.py [--clients 8] [--campaigns 5000]
(`make bench-credits` runs it against the bench cluster.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import psycopg

RESERVE = Decimal(5)
USED = Decimal(3)


@dataclass
class Result:
    name: str
    pairs: int
    seconds: float
    latencies_ms: list[float]
    errors: int


def setup(url: str, run: str, shops: int, campaigns: int) -> list[str]:
    """Wallets with plenty of credit and `campaigns` campaigns spread over `shops` shops."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "select credit_top_up(format('%%s-shop-%%s', %s::text, n), 1000000, "
            "format('%%s-pay-%%s', %s::text, n)) from generate_series(1, %s) as n",
            (run, run, shops),
        )
        ids = [
            row[0]
            for row in conn.execute(
                """insert into "Campaign" (id, "shopId", name, status)
                   select format('%%s-c-%%s', %s::text, n),
                          format('%%s-shop-%%s', %s::text, 1 + n %% %s), 'bench', 'sending'
                   from generate_series(1, %s) as n
                   returning id""",
                (run, run, shops, campaigns),
            )
        ]
    return ids


def run_clients(url: str, name: str, campaign_ids: list[str], clients: int) -> Result:
    slices = [campaign_ids[n::clients] for n in range(clients)]
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    ready = threading.Barrier(clients + 1)

    def client(n: int) -> None:
        with psycopg.connect(url, autocommit=True, application_name="bench:credits") as conn:
            conn.execute("set role app_credits")
            reserve = conn.cursor()
            consume = conn.cursor()
            ready.wait()
            for campaign in slices[n]:
                for cur, sql, args in (
                    (reserve, "select credit_reserve(%s, %s)", (campaign, RESERVE)),
                    (consume, "select credit_consume(%s, %s)", (campaign, USED)),
                ):
                    started = time.perf_counter()
                    try:
                        cur.execute(sql, args, prepare=True)
                    except psycopg.Error:
                        errors[n] += 1
                    latencies[n].append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Result(
        name, len(campaign_ids), seconds, [x for lat in latencies for x in lat], sum(errors)
    )


def percentile(values: list[float], pct: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def report(result: Result) -> None:
    operations = 2 * result.pairs
    print(
        f"{result.name:<12} {result.pairs:>9} {result.seconds:>8.2f} "
        f"{result.pairs / result.seconds:>17.0f} {operations / result.seconds:>13.0f} "
        f"{percentile(result.latencies_ms, 50):>7.2f} {percentile(result.latencies_ms, 99):>7.2f} "
        f"{result.errors:>6}"
    )


def check_ledger(url: str, run: str) -> str:
    """One line on whether the bench's shops still reconcile (the point of the design)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """select count(*), count(*) filter (where difference <> 0 or available < 0),
                      coalesce(sum(total_debited), 0)
               from monitoring.wallet_reconciliation where "shopId" like %s""",
            (f"{run}%",),
        ).fetchone()
    assert row is not None
    return f"{row[0]} wallets, {row[1]} not reconciling, {row[2]} credits debited"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--campaigns", type=int, default=5000, help="campaigns per scenario")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("DATABASE_URL is required (make bench-credits sets it)", file=sys.stderr)
        return 2

    run = f"b{int(time.time() * 1000):x}"
    with psycopg.connect(url) as conn:
        version = conn.execute("show server_version").fetchone()
    print(
        f"credits bench {run}: {args.clients} clients, {args.campaigns} campaigns per scenario, "
        f"reserve {RESERVE} then consume {USED}; PostgreSQL {version[0] if version else '?'}"
    )
    scenarios: list[tuple[str, Callable[[], list[str]]]] = [
        ("1000 shops", lambda: setup(url, f"{run}s", 1000, args.campaigns)),
        ("1 hot shop", lambda: setup(url, f"{run}h", 1, args.campaigns)),
    ]
    print(
        f"{'scenario':<12} {'campaigns':>9} {'seconds':>8} {'reserve+consume/s':>17} "
        f"{'operations/s':>13} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
    )
    for name, prepare in scenarios:
        report(run_clients(url, name, prepare(), args.clients))
    print(f"ledger after the run: {check_ledger(url, run)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
