"""POST /functions/v1/momo-allocator through the real app."""

import pytest

from tests.support.allocation import add_group, add_member, ingest, p2p, unprocessed

# These tests are about decisions other than the balance chain (tests/test_balance_chain.py);
# their SMS state made-up balances.
pytestmark = pytest.mark.usefixtures("balance_check_off")

TOKEN = "allocator-token-for-tests"


@pytest.fixture
def http(make_app):
    return make_app(allocator_token=TOKEN).test_client()


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_runs_one_batch_and_returns_the_summary(admin, http):
    add_member(admin, add_group(admin), "+250781234567")
    for i in range(3):
        ingest(admin, p2p(100, "250781234567", str(i)))
    response = http.post("/functions/v1/momo-allocator", json={"limit": 2}, headers=auth())
    assert response.status_code == 200
    assert response.get_json() == {
        "ok": True,
        "summary": {
            "processed": 2,
            "allocated": 2,
            "unmatched": 0,
            "duplicates": 0,
            "skipped": 0,
            "held": 0,
            "errors": [],
        },
    }
    assert unprocessed(admin) == 1


def test_empty_body_uses_the_batch_size_setting(admin, http):
    for i in range(12):
        ingest(admin, p2p(100, "250781234567", str(i)))
    response = http.post("/functions/v1/momo-allocator", headers=auth())
    assert response.get_json()["summary"]["processed"] == 10


@pytest.mark.parametrize("headers", [{}, auth("wrong"), {"Authorization": TOKEN}])
def test_missing_or_wrong_token_is_401_and_nothing_processed(admin, http, headers):
    ingest(admin, p2p(100, "250781234567", "1"))
    response = http.post("/functions/v1/momo-allocator", json={"limit": 1}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["ok"] is False
    assert unprocessed(admin) == 1


def test_no_token_configured_refuses_everyone(admin, make_app):
    client = make_app().test_client()
    response = client.post("/functions/v1/momo-allocator", headers=auth())
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        '{"limit": 0}',
        '{"limit": -5}',
        '{"limit": "10"}',
        '{"limit": 1.5}',
        '{"limit": true}',
        '{"limit": 100000000000}',
        "[1]",
        "not json",
    ],
)
def test_bad_limit_is_400_naming_the_field_and_nothing_processed(admin, http, body):
    ingest(admin, p2p(100, "250781234567", "1"))
    response = http.post("/functions/v1/momo-allocator", data=body, headers=auth())
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] in ("invalid_field", "invalid_input", "invalid_json")
    if body.startswith('{"limit"'):
        assert error["field"] == "limit"
    assert unprocessed(admin) == 1
