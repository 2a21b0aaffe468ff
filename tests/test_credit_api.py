"""POST /api/internal/release-reservation through the real app (runbook Option A)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from tests.support.credits import (
    consume,
    credit_snapshot,
    funded_shop,
    reservation,
    reserve,
    wallet,
)
from tests.support.database import one_row

TOKEN = "credits-admin-token-for-tests"
PATH = "/api/internal/release-reservation"


@pytest.fixture
def app_client(make_app):
    return make_app(credits_admin_token=TOKEN).test_client()


@pytest.fixture
def held(admin, connect_as) -> dict:
    svc = funded_shop(admin, connect_as("app_credits"), credits=100, campaigns=1)
    return reserve(svc, "c1", 60)


def post(client, body: object, token: str | None = TOKEN, raw: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(
        PATH,
        data=raw if raw is not None else json.dumps(body),
        headers=headers,
        content_type="application/json",
    )


def test_release_with_the_admin_token(admin, app_client, held):
    response = post(app_client, {"reservationId": held["id"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True
    released = body["reservation"]
    assert released["id"] == held["id"]
    assert (released["shopId"], released["campaignId"], released["amount"]) == ("s1", "c1", "60.00")
    assert (released["status"], released["releaseReason"]) == ("released", "manual_reconciliation")
    assert (
        datetime.fromisoformat(released["releasedAt"])
        == reservation(admin, held["id"])["releasedAt"]
    )
    assert wallet(admin, "s1")["available"] == Decimal(100)
    audit = one_row(admin, "select * from audit_log where entity_id = %s", (held["id"],))
    assert (audit["action"], audit["reason"]) == (
        "credit_reservation_released",
        "manual_reconciliation",
    )
    assert audit["after"]["meta"]["releasedVia"] == "api"


def test_a_second_release_is_a_conflict_and_changes_nothing(admin, app_client, held):
    assert post(app_client, {"reservationId": held["id"]}).status_code == 200
    before = credit_snapshot(admin)
    response = post(app_client, {"reservationId": held["id"]})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert "is not active: released" in response.get_json()["error"]["message"]
    assert credit_snapshot(admin) == before


def test_releasing_a_consumed_reservation_is_a_conflict(admin, app_client, held, connect_as):
    consume(connect_as("app_credits"), "c1", 10)
    before = credit_snapshot(admin)
    response = post(app_client, {"reservationId": held["id"]})
    assert response.status_code == 409
    assert credit_snapshot(admin) == before


@pytest.mark.parametrize("reservation_id", ["res_00000000000000000000000000000000", "nope"])
def test_an_unknown_reservation_is_not_found(admin, app_client, held, reservation_id):
    before = credit_snapshot(admin)
    response = post(app_client, {"reservationId": reservation_id})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert response.get_json()["error"]["field"] == "reservationId"
    assert credit_snapshot(admin) == before


@pytest.mark.parametrize(
    "token", [None, "wrong-token", "", f"{TOKEN}x"], ids=["none", "wrong", "empty", "longer"]
)
def test_without_a_valid_token_it_is_unauthorized(admin, app_client, held, token):
    before = credit_snapshot(admin)
    response = post(app_client, {"reservationId": held["id"]}, token=token)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert credit_snapshot(admin) == before


def test_basic_auth_with_the_token_is_unauthorized(admin, app_client, held):
    response = app_client.post(
        PATH, json={"reservationId": held["id"]}, headers={"Authorization": f"Basic {TOKEN}"}
    )
    assert response.status_code == 401
    assert reservation(admin, held["id"])["status"] == "active"


def test_when_no_admin_token_is_configured_nobody_gets_in(admin, make_app, held):
    client = make_app().test_client()  # CREDITS_ADMIN_TOKEN unset
    for token in ("", "None", TOKEN):
        assert post(client, {"reservationId": held["id"]}, token=token).status_code == 401
    assert reservation(admin, held["id"])["status"] == "active"


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ("not json", "invalid_json", None),
        ("[1, 2]", "invalid_json", None),
        ("", "invalid_json", None),
        ("{}", "invalid_field", "reservationId"),
        ('{"reservationId": null}', "invalid_field", "reservationId"),
        ('{"reservationId": 42}', "invalid_field", "reservationId"),
        ('{"reservationId": ["res_x"]}', "invalid_field", "reservationId"),
        ('{"reservationId": ""}', "invalid_field", "reservationId"),
        ('{"reservationId": "   "}', "invalid_field", "reservationId"),
        ('{"reservationId": "res\\u0000"}', "invalid_field", "reservationId"),
    ],
)
def test_a_malformed_body_is_a_bad_request(admin, app_client, held, raw, code, field):
    before = credit_snapshot(admin)
    response = post(app_client, None, raw=raw)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert credit_snapshot(admin) == before


def test_the_token_is_checked_before_the_body(admin, app_client, held):
    response = post(app_client, None, token="wrong", raw="not json")
    assert response.status_code == 401


def test_only_post_is_allowed(app_client):
    assert app_client.get(PATH).status_code == 405
