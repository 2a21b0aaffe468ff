"""GET /metrics: Prometheus text format for scrapers.

Each app owns its CollectorRegistry (api/context.py: metrics()), created when
the blueprint is registered; nothing is module-level state. Two kinds of series:

- HTTP requests, counted and timed by start_timer and observe, which create_app
  registers as the app's before/after request hooks, labelled by
  the URL rule (``/monitoring/<name>``), never the raw path, and by method (a
  method outside KNOWN_METHODS is "other").
- Database series, read at scrape time from the monitoring views as app_analyst
  (queue depths, ages, allocations, errors, alerts, pg_cron health, credits).
  When the database cannot be read, ``momo_monitoring_database_up`` is 0 and
  the HTTP series are still served.

Authentication: when MOMO_MONITORING_TOKEN is set, a scrape must send it as a
bearer token (Prometheus: ``authorization: {credentials: ...}``). When it is
not set, /metrics is open (aggregates only, no SMS content: the credit wallets
are one total, ``wallet_balance_total``, not a balance per shop) and the app
logs ``metrics.unauthenticated`` at start; bind the app to a private interface.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from flask import Blueprint, Response, g, request
from flask.blueprints import BlueprintSetupState
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import PoolTimeout

from api import context
from api.db import Database, Role
from api.errors import ApiError
from api.logs import log_event
from api.security import bearer_token_valid

bp = Blueprint("metrics", __name__)

ROLE = Role.ANALYST

# The credits engineer's views (names and columns are a contract), keyed by
# what they provide; series are exported only for the views that exist.
CREDIT_VIEWS = {
    "stats": "credit_reservation_stats",
    "wallets": "wallet_reconciliation",
    "transactions": "credit_transaction_totals",
}


@dataclass
class Metrics:
    registry: CollectorRegistry
    requests: Counter
    latency: Histogram


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


class DatabaseCollector:
    """Reads the monitoring views at each scrape and yields metric families.

    `per_shop` is False when /metrics is served without a token: then the credit
    wallets are exported as one total, never a balance per shop.
    """

    def __init__(self, db: Database, per_shop: bool = True) -> None:
        self._db = db
        self._per_shop = per_shop

    def describe(self) -> list[Metric]:
        return []  # dynamic: never collect at registration time

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "momo_monitoring_database_up",
            "1 when the monitoring views could be read for this scrape, else 0.",
        )
        try:
            with self._db.connection(ROLE) as conn, conn.cursor(row_factory=dict_row) as cur:
                families = list(self._families(cur))
        except (psycopg.Error, PoolTimeout) as exc:
            log_event("metrics.database_error", logging.ERROR, error=type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, cur: psycopg.Cursor[dict[str, Any]]) -> Iterator[Metric]:
        queue = cur.execute("select * from monitoring.queue_sizes").fetchone() or {}
        for name, column, text in (
            ("momo_inbox_unprocessed", "inbox_unprocessed", "SMS waiting for the allocator."),
            (
                "momo_inbox_retrying",
                "inbox_retrying",
                "Waiting SMS whose last attempt failed (retried after a backoff).",
            ),
            ("momo_unmatched_open", "unmatched_open", "Open momo_unmatched cases."),
        ):
            family = GaugeMetricFamily(name, text)
            family.add_metric([], _number(queue.get(column)))
            yield family
        for name, column, text in (
            (
                "momo_inbox_oldest_unprocessed_age_seconds",
                "inbox_oldest_unprocessed_age_seconds",
                "Age of the oldest SMS waiting for the allocator (0 when none).",
            ),
            (
                "momo_unmatched_oldest_open_age_seconds",
                "unmatched_oldest_open_age_seconds",
                "Age of the oldest open unmatched case (0 when none).",
            ),
        ):
            family = GaugeMetricFamily(name, text)
            family.add_metric([], _number(queue.get(column)))
            yield family

        entries = CounterMetricFamily(
            "momo_ledger_entries",
            "Ledger entries by source: sms (allocations), manual, correction.",
            labels=["source"],
        )
        by_source = {"sms": 0.0, "manual": 0.0, "correction": 0.0}
        for row in cur.execute(
            "select source, sum(entries) as entries from monitoring.ledger_totals group by source"
        ):
            by_source[row["source"]] = _number(row["entries"])
        for source, value in by_source.items():
            entries.add_metric([source], value)
        allocations = CounterMetricFamily(
            "momo_allocations", "SMS allocated to the ledger by the allocator (source sms)."
        )
        allocations.add_metric([], by_source["sms"])
        yield allocations
        yield entries

        yield from self._payer_families(cur)

        errors = GaugeMetricFamily(
            "momo_inbox_errors",
            "Inbox rows carrying a last_error, by reason and state (retrying or final outcome).",
            labels=["reason", "state"],
        )
        for row in cur.execute(
            "select reason, state, sum(sms) as sms from monitoring.inbox_errors "
            "group by reason, state order by reason, state"
        ):
            errors.add_metric([row["reason"], row["state"]], _number(row["sms"]))
        yield errors

        recent = GaugeMetricFamily(
            "momo_sms_not_allocated_last_hour",
            "SMS finished without allocation in the last hour, by outcome and reason.",
            labels=["outcome", "reason"],
        )
        for row in cur.execute(
            "select outcome, reason, sum(sms) as sms from monitoring.error_rates "
            "group by outcome, reason order by outcome, reason"
        ):
            recent.add_metric([row["outcome"], row["reason"]], _number(row["sms"]))
        yield recent

        overview = cur.execute(
            "select dead_letters_open, allocator_state from monitoring.overview"
        ).fetchone()
        dead = GaugeMetricFamily("momo_dead_letters_open", "Open dead_letter cases.")
        dead.add_metric([], _number(overview and overview["dead_letters_open"]))
        yield dead
        state = GaugeMetricFamily(
            "momo_allocator_state",
            "1 for the allocator job's current state (active, paused or missing).",
            labels=["state"],
        )
        current = overview["allocator_state"] if overview else "missing"
        for name in ("active", "paused", "missing"):
            state.add_metric([name], 1.0 if name == current else 0.0)
        yield state

        failing = GaugeMetricFamily(
            "momo_allocator_failing",
            "1 while the allocator fails as a whole (not because of one SMS), by SQLSTATE.",
            labels=["sqlstate"],
        )
        for row in cur.execute("select sqlstate from monitoring.allocator_faults where open"):
            failing.add_metric([row["sqlstate"]], 1.0)
        yield failing

        firing = GaugeMetricFamily(
            "momo_alert_firing", "1 when the monitoring.alerts row fires.", labels=["alert"]
        )
        value = GaugeMetricFamily(
            "momo_alert_value", "The value monitoring.alerts compares.", labels=["alert"]
        )
        threshold = GaugeMetricFamily(
            "momo_alert_threshold", "The alert's threshold (app_settings).", labels=["alert"]
        )
        for row in cur.execute(
            "select alert, firing, current_value, threshold from monitoring.alerts"
        ):
            firing.add_metric([row["alert"]], 1.0 if row["firing"] else 0.0)
            value.add_metric([row["alert"]], _number(row["current_value"]))
            threshold.add_metric([row["alert"]], _number(row["threshold"]))
        yield firing
        yield value
        yield threshold

        active = GaugeMetricFamily(
            "cron_job_active", "1 when the pg_cron job is active.", labels=["job"]
        )
        success = GaugeMetricFamily(
            "cron_job_last_success_timestamp_seconds",
            "End of the job's latest successful run (Unix time); absent when none is recorded.",
            labels=["job"],
        )
        failed = GaugeMetricFamily(
            "cron_job_last_run_failed", "1 when the job's latest run failed.", labels=["job"]
        )
        for row in cur.execute(
            "select jobname, active, last_run_status, last_success_at from monitoring.cron_jobs"
        ):
            job = row["jobname"] or "unnamed"
            active.add_metric([job], 1.0 if row["active"] else 0.0)
            failed.add_metric([job], 1.0 if row["last_run_status"] == "failed" else 0.0)
            if row["last_success_at"] is not None:
                success.add_metric([job], row["last_success_at"].timestamp())
        yield active
        yield success
        yield failed

        # A broken credits view must not take the Baskets series down with it.
        try:
            credit = list(self._credit_families(cur))
        except psycopg.Error as exc:
            log_event("metrics.credit_views_error", logging.ERROR, error=type(exc).__name__)
            credit = []
        yield from credit

    def _payer_families(self, cur: psycopg.Cursor[dict[str, Any]]) -> Iterator[Metric]:
        """How payers were recognised over the last 30 Kigali days (payer_matching_daily)."""
        credited = GaugeMetricFamily(
            "momo_payments_credited_last_30_days",
            "Payments credited in the last 30 days, by how the payer was matched "
            "(matched_by of the allocator, or by_person: unmatched_resolve).",
            labels=["matched_by"],
        )
        automatic = cases = 0.0
        for row in cur.execute(
            "select kind, how, sum(payments) as payments from monitoring.payer_matching_daily "
            "where day > current_date - 30 group by kind, how order by kind, how"
        ):
            if row["kind"] == "credit":
                credited.add_metric([row["how"]], _number(row["payments"]))
                if row["how"] != "by_person":
                    automatic += _number(row["payments"])
            else:
                cases += _number(row["payments"])
        yield credited
        share = GaugeMetricFamily(
            "momo_payments_automatic_share",
            "Share of the last 30 days' SMS that the allocator credited by itself: automatic "
            "credits / (automatic credits + cases opened); 1 when there were none.",
        )
        share.add_metric([], automatic / (automatic + cases) if automatic + cases else 1.0)
        yield share

    def _credit_families(self, cur: psycopg.Cursor[dict[str, Any]]) -> Iterator[Metric]:
        present = {
            row["name"]
            for row in cur.execute(
                "select v.name from unnest(%s::text[]) as v (name) "
                "where to_regclass(format('monitoring.%%I', v.name)) is not null",
                (list(CREDIT_VIEWS.values()),),
            )
        }

        def view(role: str) -> sql.Composed | None:
            name = CREDIT_VIEWS[role]
            if name not in present:
                return None
            return sql.SQL("{}.{}").format(sql.Identifier("monitoring"), sql.Identifier(name))

        stats_view = view("stats")
        if stats_view is not None:
            query = sql.SQL("select active_count, expired_count from {}").format(stats_view)
            stats = cur.execute(query).fetchone() or {}
            active = GaugeMetricFamily("credit_reservations_active", "Active credit reservations.")
            active.add_metric([], _number(stats.get("active_count")))
            expired = GaugeMetricFamily(
                "credit_reservations_expired",
                "Active credit reservations past their expiry (leaked; see the credit runbook).",
            )
            expired.add_metric([], _number(stats.get("expired_count")))
            yield active
            yield expired
        wallets_view = view("wallets")
        if wallets_view is not None:
            overdrawn = GaugeMetricFamily(
                "credit_wallets_overdrawn",
                "Wallets whose balance a late charge took below zero (see the credit runbook).",
            )
            if self._per_shop:
                balance = GaugeMetricFamily(
                    "wallet_balance", "Credit wallet balance per shop.", labels=["shop_id"]
                )
                query = sql.SQL('select "shopId", balance from {}').format(wallets_view)
                count = 0
                for row in cur.execute(query):
                    balance.add_metric([str(row["shopId"])], _number(row["balance"]))
                    count += _number(row["balance"]) < 0
                overdrawn.add_metric([], float(count))
                yield balance
            else:
                total = GaugeMetricFamily(
                    "wallet_balance_total",
                    "Sum of all credit wallet balances (per shop only with MOMO_MONITORING_TOKEN).",
                )
                wallets = GaugeMetricFamily("wallets", "Credit wallets.")
                query = sql.SQL(
                    "select count(*) as wallets, sum(balance) as total, "
                    "count(*) filter (where balance < 0) as overdrawn from {}"
                ).format(wallets_view)
                row = cur.execute(query).fetchone() or {}
                total.add_metric([], _number(row.get("total")))
                wallets.add_metric([], _number(row.get("wallets")))
                overdrawn.add_metric([], _number(row.get("overdrawn")))
                yield total
                yield wallets
            yield overdrawn
        transactions_view = view("transactions")
        if transactions_view is not None:
            transactions = CounterMetricFamily(
                "credit_transactions", "Credit transactions by type.", labels=["type"]
            )
            query = sql.SQL("select type, transactions from {}").format(transactions_view)
            for row in cur.execute(query):
                transactions.add_metric([str(row["type"])], _number(row["transactions"]))
            yield transactions


def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    registry = CollectorRegistry()
    metrics = Metrics(
        registry=registry,
        requests=Counter(
            "http_requests",
            "HTTP requests by endpoint (URL rule), method and status.",
            ["endpoint", "method", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by endpoint (URL rule) and method.",
            ["endpoint", "method"],
            registry=registry,
        ),
    )
    settings = context.settings(app)
    registry.register(
        DatabaseCollector(context.database(app), per_shop=settings.monitoring_token is not None)
    )
    app.extensions[context.METRICS] = metrics
    if not settings.monitoring_token:
        log_event(
            "metrics.unauthenticated",
            logging.WARNING,
            message="MOMO_MONITORING_TOKEN is not set: /metrics is served without a token",
        )


bp.record_once(_setup)


# Any other method (a client may send anything) is counted as "other": labels stay bounded.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _endpoint_label() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else "unmatched"


def _method_label() -> str:
    method = request.method
    return method if method in KNOWN_METHODS else "other"


def start_timer() -> None:
    """Before every request of the app (create_app registers it)."""
    g.metrics_started = time.perf_counter()


def observe(response: Response) -> Response:
    """After every request of the app (create_app registers it): count and time it."""
    started = g.pop("metrics_started", None)
    metrics = context.metrics()
    endpoint = _endpoint_label()
    method = _method_label()
    metrics.requests.labels(endpoint, method, str(response.status_code)).inc()
    if started is not None:
        metrics.latency.labels(endpoint, method).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    settings = context.settings()
    if settings.monitoring_token and not bearer_token_valid(request, settings.monitoring_token):
        log_event("metrics.rejected", logging.WARNING, reason="token")
        raise ApiError(401, "unauthorized", "missing or invalid bearer token")
    return Response(generate_latest(context.metrics().registry), content_type=CONTENT_TYPE_LATEST)
