"""The credit section of docs/runbook.md runs as written, as app_dba, on real credit data."""

from decimal import Decimal

from tests.support.credits import add_campaign, reserve, top_up
from tests.support.database import scalar
from tests.support.runbook import runbook_sql


def test_credit_section_sql_runs_as_app_dba_and_releases_the_leak(admin, connect_as):
    admin.execute("""insert into "Wallet" ("shopId") values ('shop-1')""")
    top_up(admin, "shop-1", 100, "order-1")
    add_campaign(admin, "camp-1", "shop-1")
    reservation_id = reserve(admin, "camp-1", 40)["id"]
    blocks = runbook_sql("credits")
    assert len(blocks) >= 4
    dba = connect_as("app_dba")
    for block in blocks:
        sql = block.replace("<reservation-id>", reservation_id).replace("<shop-id>", "shop-1")
        assert "<" not in sql.replace("<>", "").replace("< ", "")  # every placeholder filled
        dba.execute(sql)
    # The runbook's manual release took effect, explained, and the wallet is whole again.
    assert (
        scalar(admin, """select status from "CreditReservation" where id = %s""", (reservation_id,))
        == "released"
    )
    assert (
        scalar(
            admin,
            """select meta ->> 'releaseReason' from "CreditReservation" where id = %s""",
            (reservation_id,),
        )
        == "manual_reconciliation"
    )
    available = scalar(
        admin,
        """select available from monitoring.wallet_reconciliation where "shopId" = 'shop-1'""",
    )
    assert available == Decimal("100")
