-- The credit reconciliation job, every 10 minutes (runbook: "Ensure it runs
-- every 10 minutes"). It runs as the migrating superuser. cron.schedule(name,
-- ...) upserts by name, so this is safe to re-run; databases without pg_cron
-- (scratch copies) get no job.
do $$
begin
    if to_regnamespace('cron') is null then
        raise warning 'pg_cron is not installed in %: credits-reconcile is not scheduled',
            current_database();
        return;
    end if;
    perform cron.schedule(
        'credits-reconcile', '*/10 * * * *', 'select public.credit_reconcile()'
    );
end
$$;
