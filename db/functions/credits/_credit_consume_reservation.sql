create or replace function _credit_consume_reservation(
    p_reservation_id text,
    p_used numeric,
    p_detail jsonb default null
)
returns "CreditReservation"
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_shop_id text;
    v_reservation public."CreditReservation";
begin
    -- Lock order everywhere: campaign, wallet, reservation.
    select r."shopId" into v_shop_id from public."CreditReservation" as r where r.id = p_reservation_id;
    perform from public."Wallet" as w where w."shopId" = v_shop_id for update;
    select * into v_reservation
    from public."CreditReservation" as r
    where r.id = p_reservation_id
    for update;
    if not found or v_reservation.status <> 'active' then
        return null;
    end if;
    if p_used > v_reservation.amount then
        raise exception 'reservation % holds % credits; % used cannot be charged', v_reservation.id,
            v_reservation.amount, p_used
            using errcode = 'MM400', column = 'used',
            hint = 'A campaign can use at most what it reserved.';
    end if;
    if p_used > 0 then
        insert into public."CreditTransaction" ("shopId", type, amount, "reservationId", meta)
        values (
            v_reservation."shopId", 'debit', p_used, v_reservation.id,
            jsonb_build_object('campaignId', v_reservation."campaignId") || coalesce(p_detail, '{}')
        );
    end if;
    update public."CreditReservation" as r
    set status = 'consumed',
        "usedAmount" = p_used,
        meta = r.meta || coalesce(p_detail, '{}')
        || jsonb_build_object('releasedRemainder', r.amount - p_used)
    where r.id = v_reservation.id
    returning r.* into v_reservation;
    return v_reservation;
end;
$$;

comment on function _credit_consume_reservation(text, numeric, jsonb) is
'Internal: under the wallet and reservation locks, debits the used credits of an active '
'reservation and marks it consumed (the rest is released). Null when it was not active.';
