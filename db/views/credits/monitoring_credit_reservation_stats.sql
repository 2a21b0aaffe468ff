create or replace view monitoring.credit_reservation_stats as
with settings as (
    select
        (
            select s.value::interval from public.app_settings as s
            where s.key = 'CREDITS_RESERVATION_MAX_AGE'
        ) as max_age,
        (
            select s.value::integer from public.app_settings as s
            where s.key = 'CREDITS_ALERT_EXPIRED_THRESHOLD'
        ) as expired_threshold
),

stats as (
    -- an aggregate without group by: exactly one row, also with no reservations
    select
        count(*) as active_count,
        count(*) filter (
            where r."expiresAt" < now()
            or r."createdAt" < now() - (select st.max_age from settings as st)
        ) as expired_count,
        coalesce(sum(r.amount), 0)::numeric as active_amount
    from public."CreditReservation" as r
    where r.status = 'active'
)

select
    s.active_count,
    s.expired_count,
    s.active_amount,
    s.expired_count > st.expired_threshold as alert_expired
from stats as s cross join settings as st;

comment on view monitoring.credit_reservation_stats is
'SMS credit reservations now, one row. active_count (bigint): active reservations (metric '
'credit_reservations_active); expired_count (bigint): of those, past "expiresAt" or older than '
'CREDITS_RESERVATION_MAX_AGE but still active, i.e. leaked (credit_reservations_expired); '
'active_amount (numeric): credits they hold; alert_expired (boolean): expired_count > '
'CREDITS_ALERT_EXPIRED_THRESHOLD (default 10). Details: monitoring.credit_reservations_leaked.';
