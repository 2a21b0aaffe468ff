"""GET /monitoring and /monitoring/<view>: analysts' JSON, bearer token, no SQL from the path."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.operations import craft_case, scenario

# The SMS here are in the spec's sample wording, which states no balance: under
# MOMO_BALANCE_CHECK = hold it is never credited (the chain has its own tests).
pytestmark = pytest.mark.usefixtures("balance_check_off")

TOKEN = "analyst-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api(make_app):
    return make_app(monitoring_token=TOKEN).test_client()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ],
)
@pytest.mark.parametrize("path", ["/monitoring", "/monitoring/overview", "/monitoring/nope"])
def test_a_missing_or_wrong_token_is_refused(api, headers, path):
    response = api.get(path, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_monitoring_is_closed_when_no_token_is_configured(make_app):
    response = make_app().test_client().get("/monitoring", headers=AUTH)
    assert response.status_code == 401
    assert "MOMO_MONITORING_TOKEN is not set" in response.get_json()["error"]["message"]


def test_the_listing_names_each_view_with_its_description_and_columns(api):
    response = api.get("/monitoring", headers=AUTH)
    assert response.status_code == 200
    views = {v["name"]: v for v in response.get_json()["views"]}
    assert {
        "overview",
        "alerts",
        "queue_sizes",
        "inbox_errors",
        "allocations_per_minute",
        "error_rates",
        "duplicates",
        "dead_letters",
        "unmatched_open",
        "cron_jobs",
        "allocator_status",
        "queue_history",
        "ledger_totals",
    } <= set(views)
    overview = views["overview"]
    assert overview["kind"] == "view"
    assert overview["description"].startswith("Everything on one row")
    assert {"name": "status", "type": "text"} in overview["columns"]
    assert all(v["description"] for v in views.values())


def test_a_view_returns_its_rows_with_iso_times_numbers_and_money_as_strings(admin, api):
    s = scenario(admin)
    response = api.get("/monitoring/unmatched_open", headers=AUTH)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["ok"], body["view"], body["limit"], body["offset"], body["hasMore"]) == (
        True,
        "unmatched_open",
        100,
        0,
        False,
    )
    [case] = body["rows"]
    assert case["case_id"] == s.case_id  # a count/id: a JSON number
    assert case["amount"] == "5000.00"  # money: a string, every digit kept
    assert case["currency"] == "RWF"
    assert isinstance(case["age_seconds"], int)
    created = dt.datetime.fromisoformat(case["created_at"])
    assert created.tzinfo is not None
    assert dt.datetime.fromisoformat(case["txn_ts"]) == dt.datetime(
        2025, 1, 18, 12, 20, tzinfo=dt.UTC
    )


def test_money_is_a_string_in_every_view(admin, api, connect_as):
    s = scenario(admin)
    connect_as("app_dba").execute("select ledger_reverse(%s, 'test')", (s.ledger_id,))
    rows = api.get("/monitoring/ledger_totals", headers=AUTH).get_json()["rows"]
    assert {(r["source"], r["entries"], r["amount"]) for r in rows} == {
        ("sms", 1, "12000.00"),
        ("correction", 1, "-12000.00"),
    }


def test_one_row_views_and_arrays(admin, api):
    scenario(admin)
    craft_case(admin, "dead_letter", parsed=False)
    [overview] = api.get("/monitoring/overview", headers=AUTH).get_json()["rows"]
    assert overview["unmatched_open"] == 2
    assert overview["dead_letters_open"] == 1
    assert isinstance(overview["alerts_firing"], list)
    assert isinstance(overview["cron_jobs_failing"], list)
    alerts = api.get("/monitoring/alerts", headers=AUTH).get_json()["rows"]
    assert [a["alert"] for a in alerts] == [
        "inbox_backlog",
        "unmatched_open_cases",
        "unmatched_case_age",
        "balance_gap",
        "suspected_forgery",
        "allocator_failing",
        "credit_wallets_overdrawn",
        "account_without_group",
    ]
    assert all(isinstance(a["firing"], bool) for a in alerts)


def test_limit_and_offset_page_through_rows(api):
    first = api.get("/monitoring/allocations_per_minute?limit=10", headers=AUTH).get_json()
    assert (len(first["rows"]), first["hasMore"]) == (10, True)
    last = api.get("/monitoring/allocations_per_minute?limit=10&offset=55", headers=AUTH).get_json()
    assert (len(last["rows"]), last["hasMore"], last["offset"]) == (5, False, 55)
    assert first["rows"][0]["minute"] > last["rows"][-1]["minute"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("limit=1.5", "limit"),
        ("offset=-1", "offset"),
        ("offset=x", "offset"),
    ],
)
def test_bad_paging_is_a_400_naming_the_field(api, query, field):
    response = api.get(f"/monitoring/overview?{query}", headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


@pytest.mark.parametrize(
    "name",
    [
        "nope",
        "Overview",
        "overview;select 1",
        'overview" union select 1 --',
        "pg_class",
        "momo_sms_inbox",
        "audit_log",
        "overview%20",
    ],
)
def test_an_unknown_view_is_a_404_and_never_sql(api, name):
    response = api.get(f"/monitoring/{name}", headers=AUTH)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_view_analysts_may_not_read_is_not_served(admin, api):
    # Created after the grants were applied: app_analyst has no select on it.
    admin.execute("create view monitoring.test_ops_private as select 1 as secret")
    try:
        names = [v["name"] for v in api.get("/monitoring", headers=AUTH).get_json()["views"]]
        assert "test_ops_private" not in names
        assert api.get("/monitoring/test_ops_private", headers=AUTH).status_code == 404
    finally:
        admin.execute("drop view monitoring.test_ops_private")


def test_a_path_outside_the_schema_is_not_routed(api):
    assert api.get("/monitoring/public/momo_sms_inbox", headers=AUTH).status_code == 404
    assert api.get("/monitoring/..%2Fpublic.audit_log", headers=AUTH).status_code == 404


@pytest.mark.parametrize("name", ["overview%00", "%00", "over%00view"])
def test_item_6_a_nul_in_the_view_name_is_a_400_not_a_500(api, name, caplog):
    """Issue 24 item 6: GET /monitoring/overview%00 answered 500 (a DataError)."""
    response = api.get(f"/monitoring/{name}", headers=AUTH)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_field", "name")
    assert "internal_error" not in caplog.text
    assert api.get("/monitoring/overview", headers=AUTH).status_code == 200
