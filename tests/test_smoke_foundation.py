"""The foundation is in place: schema migrated, pg_cron loaded, app answering."""


def test_pg_cron_is_loaded_in_the_test_database(admin):
    row = admin.execute(
        "select current_setting('cron.database_name') = current_database(), "
        "exists (select from pg_extension where extname = 'pg_cron')"
    ).fetchone()
    assert row == (True, True)


def test_readyz_reports_ready_against_the_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": True, "migrations": True, "pg_cron": True}
