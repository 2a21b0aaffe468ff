-- Least-privilege roles. Roles are cluster-wide, so create them only if missing.
-- app_ingest    HTTP ingest: may only store SMS through momo_sms_ingest().
-- app_allocator allocator and HTTP trigger: runs momo_allocate().
-- app_analyst   analysts: read-only monitoring views.
-- app_dba       DBAs: correction functions, the credit runbook's SQL.
-- app_credits   credits service: reserve/consume/release functions.
-- app_web       the login the web app uses; it holds no privilege itself
--               (noinherit) and switches to one role above per surface.
do $$
declare
    v_role text;
begin
    foreach v_role in array array[
        'app_ingest', 'app_allocator', 'app_analyst', 'app_dba', 'app_credits'
    ] loop
        if not exists (select from pg_catalog.pg_roles where rolname = v_role) then
            execute format('create role %I nologin', v_role);
        end if;
    end loop;
    if not exists (select from pg_catalog.pg_roles where rolname = 'app_web') then
        create role app_web login noinherit;
    end if;
    grant app_ingest, app_allocator, app_analyst, app_credits to app_web;
end
$$;

revoke create on schema public from public;
