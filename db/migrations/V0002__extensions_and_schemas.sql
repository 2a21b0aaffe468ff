-- pg_trgm powers name similarity for member suggestions.
create extension if not exists pg_trgm;

-- pg_cron can only live in the database named by cron.database_name; other
-- databases (e.g. a scratch copy) get the schema without the scheduler, and
-- /readyz reports them not ready.
do $$
begin
    if current_setting('cron.database_name', true) = current_database() then
        create extension if not exists pg_cron;
    else
        raise warning 'pg_cron is not loaded for database %: jobs will not be scheduled',
            current_database();
    end if;
end
$$;

create schema if not exists monitoring;
comment on schema monitoring is
'Read-only views for analysts and dashboards: queues, rates, alerts, reconciliation.';
