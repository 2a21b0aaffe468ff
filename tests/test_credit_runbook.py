"""The credit reconciliation runbook's SQL, run verbatim from the seed as app_dba.

Each ```sql block is read from the seed file at test time; only its <placeholders>
are replaced with real ids. The "Full Reconciliation Query" is shown to multiply
its sums (it joins reservations and transactions in one group by), and
monitoring.wallet_reconciliation is shown to be right where it is wrong.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.support.credits import (
    add_campaign,
    backdate,
    consume,
    funded_shop,
    reservation,
    reserve,
    top_up,
    wallet,
)
from tests.support.database import one_row, rows, scalar
from tests.support.runbook import fill, seed_blocks, seed_sql_under


@pytest.fixture
def dba(connect_as) -> psycopg.Connection:
    return connect_as("app_dba")


@pytest.fixture
def leaked(admin, connect_as) -> dict[str, dict]:
    """Shop s1 with one reservation of each kind the runbook looks for, and a healthy one."""
    svc = funded_shop(admin, connect_as("app_credits"), credits=1000, campaigns=5)
    made = {
        "expired": reserve(svc, "c1", 10, "1 hour"),
        "too_old": reserve(svc, "c2", 20),
        "sent": reserve(svc, "c3", 30),
        "failed": reserve(svc, "c4", 40),
        "healthy": reserve(svc, "c5", 50),
    }
    backdate(admin, made["expired"]["id"], "2 hours")
    backdate(admin, made["too_old"]["id"], "49 hours")
    with admin.transaction():  # status changed by hand, triggers bypassed
        admin.execute("set local session_replication_role = replica")
        admin.execute("""update "Campaign" set status = 'sent' where id = 'c3'""")
        admin.execute("""update "Campaign" set status = 'failed' where id = 'c4'""")
    return made


def test_the_seed_has_the_sql_blocks_these_tests_run():
    tested = [
        seed_sql_under(heading)
        for heading in ("Detection", "Step 1", "Step 2", "Step 3", "Step 4", "Full Reconciliation")
    ]
    assert sorted(tested) == sorted(seed_blocks("sql"))


def test_detection_query_finds_expired_and_too_old_reservations(admin, dba, leaked):
    found = rows(dba, seed_sql_under("Detection"))
    assert {r["id"] for r in found} == {leaked["expired"]["id"], leaked["too_old"]["id"]}
    assert set(found[0]) == {
        "id",
        "shopId",
        "campaignId",
        "amount",
        "status",
        "createdAt",
        "expiresAt",
    }
    view = rows(
        admin,
        "select id from monitoring.credit_reservations_leaked where reason <> 'campaign_final'",
    )
    assert {r["id"] for r in view} == {r["id"] for r in found}


def test_step_1_finds_active_reservations_of_final_campaigns(admin, dba, leaked):
    found = rows(dba, seed_sql_under("Step 1"))
    assert {(r["id"], r["campaign_status"]) for r in found} == {
        (leaked["sent"]["id"], "sent"),
        (leaked["failed"]["id"], "failed"),
    }
    view = rows(
        admin,
        "select id from monitoring.credit_reservations_leaked where reason = 'campaign_final'",
    )
    assert {r["id"] for r in view} == {r["id"] for r in found}


def test_step_2_shows_the_campaign_status(dba, leaked):
    found = one_row(dba, fill(seed_sql_under("Step 2"), campaign_id="c3"))
    assert (found["id"], found["status"], found["name"]) == ("c3", "sent", "campaign c3")
    assert found["updatedAt"] is not None


def test_step_3_option_b_direct_update_releases_consistently_and_is_audited(admin, dba, leaked):
    target = leaked["sent"]["id"]
    statement = fill(seed_sql_under("Step 3"), reservation_id=target)
    assert wallet(admin, "s1")["reserved"] == Decimal(150)

    assert dba.execute(statement).rowcount == 1
    done = reservation(admin, target)
    assert done["status"] == "released"
    assert done["meta"] == {"releaseReason": "manual_reconciliation"}
    assert done["releasedAt"] is not None
    w = wallet(admin, "s1")
    assert (w["balance"], w["reserved"], w["difference"]) == (Decimal(1000), Decimal(120), 0)
    audit = one_row(admin, "select * from audit_log where entity_id = %s", (target,))
    assert (audit["action"], audit["reason"]) == (
        "credit_reservation_released",
        "manual_reconciliation",
    )
    assert (audit["before"]["status"], audit["after"]["status"]) == ("active", "released")

    # run again: its `status = 'active'` guard makes it a no-op, and nothing more is audited
    assert dba.execute(statement).rowcount == 0
    assert scalar(admin, "select count(*) from audit_log where entity_id = %s", (target,)) == 1


def test_step_3_option_a_curl_releases_through_the_api(admin, make_app, leaked):
    curl = seed_blocks("bash")
    assert len(curl) == 1
    target = leaked["failed"]["id"]
    command = fill(curl[0], admin_token="s3cret-token", reservation_id=target)
    path = re.search(r"curl -X POST http://[^/\s]+(/\S+)", command)
    header = re.search(r'-H "Authorization: ([^"]+)"', command)
    body = re.search(r"-d '([^']*)'", command)
    assert path and header and body
    client = make_app(credits_admin_token="s3cret-token").test_client()
    # curl -d sends a form content type; the endpoint reads the JSON body regardless
    response = client.post(
        path.group(1),
        data=body.group(1),
        headers={"Authorization": header.group(1)},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reservation"]["releaseReason"] == "manual_reconciliation"
    assert reservation(admin, target)["status"] == "released"


def test_step_4_wallet_balance_matches_the_reconciliation_view(admin, dba, leaked):
    found = one_row(dba, fill(seed_sql_under("Step 4"), shop_id="s1"))
    w = wallet(admin, "s1")
    assert (found["balance"], found["reserved"], found["available"]) == (
        w["balance"],
        w["reserved"],
        w["available"],
    )
    assert found["available"] == Decimal(1000 - 150)


def test_full_reconciliation_query_multiplies_its_sums_and_the_view_does_not(
    admin, dba, connect_as
):
    svc = connect_as("app_credits")
    for n, amount in enumerate((100, 50, 25), start=1):
        top_up(svc, "s1", amount, f"pay-{n}")
    for n in range(1, 4):
        add_campaign(admin, f"c{n}", "s1")
    reserve(svc, "c1", 30)
    reserve(svc, "c2", 20)
    reserve(svc, "c3", 10)
    consume(svc, "c3", 10)
    # 3 reservations and 4 transactions (3 credits, 1 debit) for one wallet
    truth = wallet(admin, "s1")
    assert (
        truth["balance"],
        truth["reserved"],
        truth["total_credited"],
        truth["total_debited"],
        truth["available"],
    ) == (Decimal(165), Decimal(50), Decimal(175), Decimal(10), Decimal(115))
    assert truth["difference"] == 0

    runbook = one_row(dba, fill(seed_sql_under("Full Reconciliation"), shop_id="s1"))
    assert runbook["wallet_balance"] == truth["balance"]
    # each reservation row is repeated once per transaction, and the other way round
    assert runbook["reserved"] == 4 * truth["reserved"] == Decimal(200)
    assert runbook["total_credited"] == 3 * truth["total_credited"] == Decimal(525)
    assert runbook["total_debited"] == 3 * truth["total_debited"] == Decimal(30)
    assert runbook["available_balance"] == Decimal(-35) != truth["available"]


def test_every_runbook_sql_block_runs_in_psql_as_app_dba(admin, db_url, leaked, tmp_path: Path):
    ids = {
        "campaign_id": "c3",
        "reservation_id": leaked["sent"]["id"],
        "shop_id": "s1",
    }
    for n, block in enumerate(seed_blocks("sql")):
        script = tmp_path / f"block{n}.sql"
        script.write_text(fill(block, **ids), encoding="utf-8")
        result = subprocess.run(
            [
                "psql",
                "-X",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                db_url,
                "-c",
                "set role app_dba",
                "-f",
                str(script),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, (block, result.stderr)
        assert "ERROR" not in result.stderr
    # Option B ran among them: the reservation it names is released
    assert reservation(admin, leaked["sent"]["id"])["status"] == "released"
