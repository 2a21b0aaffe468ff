create or replace function credit_consume(
    p_campaign_id text,
    p_used numeric,
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
    perform public._require_money('used', p_used, true, true);
    if p_detail is not null and jsonb_typeof(p_detail) <> 'object' then
        raise exception 'detail must be a JSON object' using errcode = 'MM400', column = 'detail';
    end if;

    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id and r.status = 'active';
    if found then
        v_reservation := public._credit_consume_reservation(v_reservation.id, p_used, p_detail);
        if v_reservation.id is not null then
            return v_reservation;
        end if;
        -- settled meanwhile by another session: answer as for a retry below
    end if;

    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id
    order by r."createdAt" desc, r.id desc
    limit 1;
    if not found then
        if exists (select from public."Campaign" as c where c.id = p_campaign_id) then
            raise exception 'campaign % has no credit reservation', p_campaign_id
                using errcode = 'MM404', column = 'campaignId', hint = 'Reserve with credit_reserve().';
        end if;
        raise exception 'campaign % does not exist', p_campaign_id
            using errcode = 'MM404', column = 'campaignId';
    end if;
    if v_reservation.status = 'consumed' and v_reservation."usedAmount" = p_used then
        return v_reservation;  -- a retry: charged once
    end if;
    if v_reservation.status = 'consumed' then
        raise exception 'campaign % already consumed % credits (reservation %), not %', p_campaign_id,
            v_reservation."usedAmount", v_reservation.id, p_used
            using errcode = 'MM409';
    end if;
    raise exception 'campaign % has no active reservation: % was % at % (%)', p_campaign_id,
        v_reservation.id, v_reservation.status, v_reservation."releasedAt",
        v_reservation.meta ->> 'releaseReason'
        using errcode = 'MM409',
        hint = 'Its credits were freed; reserve again with credit_reserve() before charging.';
end;
$$;

comment on function credit_consume(text, numeric, jsonb) is
'Credits service, when a campaign completes: debits the p_used credits (at most the reserved '
'amount) of its active reservation and releases the rest, in one transaction. A retry with the '
'same amount returns the consumed reservation and charges nothing twice.';
