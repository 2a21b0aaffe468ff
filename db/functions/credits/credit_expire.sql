create or replace function credit_expire(p_reservation_id text)
returns "CreditReservation"
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_reservation public."CreditReservation";
    v_max_age interval := public._setting('CREDITS_RESERVATION_MAX_AGE')::interval;
begin
    select * into v_reservation
    from public."CreditReservation" as r
    where r.id = p_reservation_id
    for update;
    if not found then
        raise exception 'credit reservation % does not exist', p_reservation_id
            using errcode = 'MM404', column = 'reservationId';
    end if;
    if v_reservation.status <> 'active' then
        raise exception 'credit reservation % is not active: % at %', p_reservation_id,
            v_reservation.status, v_reservation."releasedAt"
            using errcode = 'MM409', hint = 'Nothing was changed.';
    end if;
    if v_reservation."expiresAt" >= now() and v_reservation."createdAt" >= now() - v_max_age then
        raise exception 'credit reservation % is not due to expire until %', p_reservation_id,
            least(v_reservation."expiresAt", v_reservation."createdAt" + v_max_age)
            using errcode = 'MM409', hint = 'To free its credits now, release it with a reason.';
    end if;
    return public._credit_release_reservation(
        p_reservation_id, 'expired',
        case when v_reservation."expiresAt" < now() then 'expired' else 'max_age_exceeded' end
    );
end;
$$;

comment on function credit_expire(text) is
'Credits service and DBAs: expires an active reservation that is past "expiresAt" or older than '
'CREDITS_RESERVATION_MAX_AGE, freeing its credits; audited. MM409 when it is not active or not '
'yet due, MM404 for an unknown id.';
