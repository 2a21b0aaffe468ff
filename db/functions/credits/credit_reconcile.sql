create or replace function credit_reconcile()
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_started_at timestamptz := clock_timestamp();
    v_max_age interval := public._setting('CREDITS_RESERVATION_MAX_AGE')::interval;
    v_row record;
    v_settled public."CreditReservation";
    v_released integer := 0;
    v_consumed integer := 0;
    v_expired integer := 0;
    v_errors jsonb := '[]'::jsonb;
    v_run_id bigint;
    v_summary jsonb;
begin
    -- 1. Active reservations of final campaigns (status changed with triggers
    --    bypassed): settle them as the status change would have. The settling
    --    takes its locks in the usual order (wallet, reservation) and re-checks
    --    that the reservation is still active, so this scan locks nothing.
    for v_row in
        select r.id, r."campaignId", c.status as campaign_status, c."creditsUsed"
        from public."CreditReservation" as r
        inner join public."Campaign" as c on r."campaignId" = c.id
        where r.status = 'active' and c.status in ('sent', 'failed')
        order by r.id
    loop
        begin
            v_settled := public._credit_settle_campaign(
                v_row."campaignId", v_row.campaign_status, v_row."creditsUsed", 'credits-reconcile'
            );
            if v_settled.status = 'consumed' then
                v_consumed := v_consumed + 1;
            elsif v_settled.status = 'released' then
                v_released := v_released + 1;
            end if;
        exception when others then
            v_errors := v_errors || jsonb_build_object(
                'reservationId', v_row.id, 'sqlstate', sqlstate, 'message', sqlerrm
            );
        end;
    end loop;

    -- 2. Active reservations past "expiresAt" or older than the maximum age
    --    (runbook: "older than 48 hours"). Expiring needs no wallet lock; a row
    --    locked right now is being settled by its owner and is skipped.
    for v_row in
        select r.id, r."expiresAt"
        from public."CreditReservation" as r
        where r.status = 'active'
            and (r."expiresAt" < now() or r."createdAt" < now() - v_max_age)
        order by r."expiresAt", r.id
        for update skip locked
    loop
        begin
            v_settled := public._credit_release_reservation(
                v_row.id, 'expired',
                case when v_row."expiresAt" < now() then 'expired' else 'max_age_exceeded' end,
                '{"settledBy": "credits-reconcile"}'
            );
            if v_settled.id is not null then
                v_expired := v_expired + 1;
            end if;
        exception when others then
            v_errors := v_errors || jsonb_build_object(
                'reservationId', v_row.id, 'sqlstate', sqlstate, 'message', sqlerrm
            );
        end;
    end loop;

    v_summary := jsonb_build_object(
        'released', v_released,
        'consumed', v_consumed,
        'expired', v_expired,
        'errors', v_errors,
        'startedAt', v_started_at
    );
    insert into public.credit_reconcile_runs (
        started_at, released, consumed, expired, errors, summary
    )
    values (
        v_started_at, v_released, v_consumed, v_expired, jsonb_array_length(v_errors), v_summary
    )
    returning id into v_run_id;
    return v_summary || jsonb_build_object('runId', v_run_id);
end;
$$;

comment on function credit_reconcile() is
'The credits-reconcile job (pg_cron, every 10 minutes; DBAs may run it by hand): settles active '
'reservations of sent/failed campaigns (consumes "creditsUsed" when known, else releases), '
'expires those past "expiresAt" or older than CREDITS_RESERVATION_MAX_AGE, records the run in '
'credit_reconcile_runs (each change is in audit_log) and returns the summary as jsonb.';
