create or replace view monitoring.credit_reservations_leaked as
select
    r.id,
    r."shopId",
    r."campaignId",
    r.amount,
    r."createdAt",
    r."expiresAt",
    c.status as campaign_status,
    case
        when c.status in ('sent', 'failed') then 'campaign_final'
        when r."expiresAt" < now() then 'expired'
        else 'max_age_exceeded'
    end as reason,
    now() - r."createdAt" as age
from public."CreditReservation" as r
inner join public."Campaign" as c on r."campaignId" = c.id
where
    r.status = 'active'
    and (
        c.status in ('sent', 'failed')
        or r."expiresAt" < now()
        or r."createdAt" < now() - (
            select s.value::interval from public.app_settings as s
            where s.key = 'CREDITS_RESERVATION_MAX_AGE'
        )
    );

comment on view monitoring.credit_reservations_leaked is
'Active reservations that should no longer hold credits (runbook Detection and Step 1), one row '
'each: id, "shopId", "campaignId", amount, "createdAt", "expiresAt", campaign_status, reason '
'(campaign_final: its campaign is sent or failed; expired: past "expiresAt"; max_age_exceeded: '
'older than CREDITS_RESERVATION_MAX_AGE) and age. The credits-reconcile job settles them; '
'rows that stay here across runs need a person (see the credit runbook).';
