create or replace function app_readiness()
returns jsonb
language sql
stable
security definer
set search_path = pg_catalog, public, pg_temp
as $$
    select jsonb_build_object(
        'migration_version', (select max(v.version) from public.schema_version as v),
        'pg_cron_installed', exists (select from pg_extension where extname = 'pg_cron'),
        'pg_cron_running', exists (
            select from pg_stat_activity where backend_type = 'pg_cron launcher'
        )
    );
$$;

comment on function app_readiness() is
'Readiness facts for /readyz: the applied migration version and whether pg_cron is installed '
'in this database and its scheduler is running.';
