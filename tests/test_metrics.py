"""GET /metrics: Prometheus text, parsed back with prometheus_client's own parser."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import close_app, create_app
from api import metrics as metrics_module
from api.config import Settings
from tests.support.allocation import add_group, add_member, allocate, ingest, p2p
from tests.support.database import rows, scalar
from tests.support.operations import craft_case, ingest_from_modem, scenario

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

TOKEN = "scrape-token-456"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def scrape(client, headers: dict | None = None) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    samples: dict[tuple[str, tuple], float] = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def names(samples: dict) -> set[str]:
    return {name for name, _ in samples}


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def test_queue_depths_ages_and_counts_match_the_database(admin, client):
    scenario(admin)  # one allocation, one open case
    queued = [ingest_from_modem(admin, f"queued {i}") for i in range(3)]
    admin.execute(
        "update momo_sms_inbox set ingested_at = now() - interval '5 minutes' where id = any(%s)",
        (queued,),
    )
    admin.execute(
        "update momo_sms_inbox set attempts = 1, last_error = 'error: boom', "
        "next_attempt_at = now() + interval '1 minute' where id = %s",
        (queued[0],),
    )
    m = scrape(client)
    assert m[("momo_monitoring_database_up", ())] == 1
    assert m[("momo_inbox_unprocessed", ())] == 3
    assert m[("momo_inbox_retrying", ())] == 1
    assert m[("momo_unmatched_open", ())] == 1
    assert 300 <= m[("momo_inbox_oldest_unprocessed_age_seconds", ())] < 360
    assert m[("momo_allocations_total", ())] == 1
    assert m[("momo_ledger_entries_total", (("source", "sms"),))] == 1
    assert m[("momo_ledger_entries_total", (("source", "correction"),))] == 0
    assert m[("momo_inbox_errors", (("reason", "error"), ("state", "retrying")))] == 1
    assert m[("momo_inbox_errors", (("reason", "profile_not_found"), ("state", "unmatched")))] == 1
    assert (
        m[
            (
                "momo_sms_not_allocated_last_hour",
                (("outcome", "unmatched"), ("reason", "profile_not_found")),
            )
        ]
        == 1
    )


def test_alert_states_and_the_allocator_state(admin, client, connect_as):
    for i in range(11):
        craft_case(admin, "low_confidence", txn_id=f"TXM{i}")
    craft_case(admin, "dead_letter", parsed=False)
    m = scrape(client)
    assert m[("momo_alert_firing", (("alert", "unmatched_open_cases"),))] == 1
    assert m[("momo_alert_firing", (("alert", "inbox_backlog"),))] == 0
    assert m[("momo_alert_value", (("alert", "unmatched_open_cases"),))] == 12
    assert m[("momo_alert_threshold", (("alert", "unmatched_open_cases"),))] == 10
    assert m[("momo_dead_letters_open", ())] == 1
    # the test reset pauses every job
    assert m[("momo_allocator_state", (("state", "paused"),))] == 1
    assert m[("momo_allocator_state", (("state", "active"),))] == 0


def test_cron_job_health_and_last_success(admin, client):
    jobid = scalar(admin, "select cron.schedule('test-ops-metrics', '0 0 1 1 *', 'select 1')")
    admin.execute("select cron.alter_job(%s, active := false)", (jobid,))
    try:
        admin.execute(
            "insert into cron.job_run_details (jobid, job_pid, database, username, command, "
            "status, return_message, start_time, end_time) values "
            "(%s, 1, current_database(), 'postgres', 'select 1', 'succeeded', '1', "
            "'2026-01-02T03:04:00Z', '2026-01-02T03:04:05Z'), "
            "(%s, 1, current_database(), 'postgres', 'select 1', 'failed', 'boom', now(), now())",
            (jobid, jobid),
        )
        m = scrape(client)
        job = (("job", "test-ops-metrics"),)
        assert m[("cron_job_last_success_timestamp_seconds", job)] == 1767323045.0
        assert m[("cron_job_last_run_failed", job)] == 1
        assert m[("cron_job_active", job)] == 0
        assert ("cron_job_active", (("job", "momo-allocator"),)) in m
    finally:
        admin.execute("delete from cron.job_run_details where jobid = %s", (jobid,))
        admin.execute("select cron.unschedule(%s::bigint)", (jobid,))


def test_http_requests_are_counted_and_timed_by_url_rule(admin, make_app):
    client = make_app(monitoring_token=TOKEN).test_client()
    client.get("/monitoring/overview", headers=AUTH)
    client.get("/monitoring/alerts", headers=AUTH)
    client.get("/monitoring/alerts", headers={"Authorization": "Bearer wrong"})
    client.get("/no/such/path")
    client.get("/healthz")
    m = scrape(client, AUTH)
    rule = "/monitoring/<name>"
    ok = (("endpoint", rule), ("method", "GET"), ("status", "200"))
    assert m[("http_requests_total", ok)] == 2
    denied = (("endpoint", rule), ("method", "GET"), ("status", "401"))
    assert m[("http_requests_total", denied)] == 1
    assert (
        m[
            (
                "http_requests_total",
                (("endpoint", "unmatched"), ("method", "GET"), ("status", "404")),
            )
        ]
        == 1
    )
    assert (
        m[("http_requests_total", (("endpoint", "/healthz"), ("method", "GET"), ("status", "200")))]
        == 1
    )
    latency = (("endpoint", rule), ("method", "GET"))
    assert m[("http_request_duration_seconds_count", latency)] == 3
    assert m[("http_request_duration_seconds_sum", latency)] > 0
    # raw paths never become labels
    assert not any("/monitoring/overview" in dict(labels).get("endpoint", "") for _, labels in m)


def test_each_app_has_its_own_registry(make_app):
    first = make_app().test_client()
    second = make_app().test_client()
    first.get("/healthz")
    first.get("/healthz")
    health = (("endpoint", "/healthz"), ("method", "GET"), ("status", "200"))
    assert scrape(first)[("http_requests_total", health)] == 2
    assert ("http_requests_total", health) not in scrape(second)


def test_metrics_need_the_token_when_one_is_configured(make_app):
    client = make_app(monitoring_token=TOKEN).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert scrape(client, AUTH)[("momo_monitoring_database_up", ())] == 1


def test_metrics_are_open_without_a_configured_token(client):
    assert scrape(client)[("momo_monitoring_database_up", ())] == 1


def test_credit_series_follow_the_credit_views(admin, make_app):
    client = make_app(monitoring_token=TOKEN).test_client()
    admin.execute("select credit_top_up('shop-a', 150, 'momo-1')")
    admin.execute("select credit_top_up('shop-b', 40.5, 'momo-2')")
    m = scrape(client, AUTH)
    stats = rows(admin, "select * from monitoring.credit_reservation_stats")[0]
    assert m[("credit_reservations_active", ())] == stats["active_count"]
    assert m[("credit_reservations_expired", ())] == stats["expired_count"]
    assert m[("wallet_balance", (("shop_id", "shop-a"),))] == 150
    assert m[("wallet_balance", (("shop_id", "shop-b"),))] == 40.5
    assert m[("credit_transactions_total", (("type", "credit"),))] == 2
    assert m[("credit_transactions_total", (("type", "debit"),))] == 0


def test_without_a_token_wallets_are_one_total_never_a_balance_per_shop(admin, client):
    admin.execute("select credit_top_up('shop-a', 150, 'momo-1')")
    admin.execute("select credit_top_up('shop-b', 40.5, 'momo-2')")
    m = scrape(client)
    assert m[("wallet_balance_total", ())] == 190.5
    assert m[("wallets", ())] == 2
    assert "wallet_balance" not in names(m)
    assert not any("shop" in str(labels) for _, labels in m)


def test_unknown_http_methods_are_counted_as_other(make_app):
    client = make_app().test_client()
    for method in ("BREW", "PROPFIND", "X-ANYTHING-1", "X-ANYTHING-2"):
        client.open("/healthz", method=method)
    m = scrape(client)
    methods = {dict(labels).get("method") for name, labels in m if name == "http_requests_total"}
    assert methods <= {"GET", "other"}
    other = (("endpoint", "unmatched"), ("method", "other"), ("status", "405"))
    assert m[("http_requests_total", other)] == 4


def test_missing_credit_views_are_skipped(client, monkeypatch):
    monkeypatch.setattr(
        metrics_module,
        "CREDIT_VIEWS",
        {"stats": "no_such_a", "wallets": "no_such_b", "transactions": "no_such_c"},
    )
    m = scrape(client)
    assert m[("momo_monitoring_database_up", ())] == 1
    assert not {n for n in names(m) if n.startswith(("credit_", "wallet_"))}


@pytest.mark.slow
def test_an_unreachable_database_still_serves_http_series():
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:1/nowhere", pool_size=1)
    app = create_app(settings)
    try:
        client = app.test_client()
        client.get("/healthz")
        m = scrape(client)
        assert m[("momo_monitoring_database_up", ())] == 0
        assert "momo_inbox_unprocessed" not in names(m)
        health = (("endpoint", "/healthz"), ("method", "GET"), ("status", "200"))
        assert m[("http_requests_total", health)] == 1
    finally:
        close_app(app)


def test_payments_credited_by_how_the_payer_was_matched_and_the_automatic_share(admin, client):
    admin.execute("update app_settings set value = 'off' where key = 'MOMO_BALANCE_CHECK'")
    group = add_group(admin)
    add_member(admin, group, "+250781234567")
    now = scalar(
        admin, "select to_char(now() at time zone 'Africa/Kigali', 'YYYY-MM-DD HH24:MI:SS')"
    )
    ingest(admin, p2p(5000, "250781234567", "91", ts=now))
    ingest(admin, p2p(5000, "250780000999", "92", ts=now))  # nobody's number: a case
    ingest(admin, p2p(5000, "250781234567", "93", ts="2024-01-02 10:00:00"))  # long ago
    allocate(admin)
    m = scrape(client)
    assert m[("momo_payments_credited_last_30_days", (("matched_by", "phone"),))] == 1
    assert m[("momo_payments_automatic_share", ())] == 0.5
