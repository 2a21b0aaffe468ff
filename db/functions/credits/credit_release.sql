create or replace function credit_release(
    p_reservation_id text,
    p_reason text,
    p_detail jsonb default null
)
returns "CreditReservation"
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_reservation public."CreditReservation";
begin
    if not public._has_visible_character(p_reason) or length(p_reason) > 200 then
        raise exception 'a release reason is required (at most 200 characters)'
            using errcode = 'MM400', column = 'reason';
    end if;
    if p_detail is not null and jsonb_typeof(p_detail) <> 'object' then
        raise exception 'detail must be a JSON object' using errcode = 'MM400', column = 'detail';
    end if;

    v_reservation := public._credit_release_reservation(p_reservation_id, 'released', p_reason, p_detail);
    if v_reservation.id is not null then
        return v_reservation;
    end if;

    select * into v_reservation from public."CreditReservation" as r where r.id = p_reservation_id;
    if not found then
        raise exception 'credit reservation % does not exist', p_reservation_id
            using errcode = 'MM404', column = 'reservationId';
    end if;
    raise exception 'credit reservation % is not active: % at % (%)', p_reservation_id,
        v_reservation.status, v_reservation."releasedAt",
        coalesce(v_reservation.meta ->> 'releaseReason', 'used ' || v_reservation."usedAmount")
        using errcode = 'MM409', hint = 'Nothing was changed: its credits are already free.';
end;
$$;

comment on function credit_release(text, text, jsonb) is
'Credits service and DBAs: releases an active reservation without charging, with the reason in '
'meta.releaseReason; audited. MM404 for an unknown id, MM409 when it is no longer active (so a '
'retry changes nothing and says why).';
