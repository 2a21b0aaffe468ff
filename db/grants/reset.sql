-- Step one of the grants (db/migrations.yml, callbacks.afterAll, lists the
-- order): take every privilege away, then common.sql and one file per module
-- grant each role exactly its surface. Re-applied after every migration, so a
-- privilege granted by hand does not survive one and nothing drifts.

-- Nothing for public by default.
revoke all on all tables in schema public from public;
revoke all on all sequences in schema public from public;
revoke execute on all functions in schema public from public;
-- procedures are not functions: momo_allocator_drain() would stay executable by public
revoke execute on all procedures in schema public from public;
revoke all on all tables in schema monitoring from public;
-- pg_cron runs the drain as the job owner, a superuser.
revoke execute on all routines in schema monitoring from public;

-- Nothing for any app role either (app_web holds none itself: it switches roles).
revoke all on all tables in schema public, monitoring
from app_ingest, app_allocator, app_analyst, app_dba, app_credits, app_web;
revoke execute on all routines in schema public, monitoring
from app_ingest, app_allocator, app_analyst, app_dba, app_credits, app_web;
