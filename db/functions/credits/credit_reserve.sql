create or replace function credit_reserve(
    p_campaign_id text,
    p_amount numeric,
    p_expires_in interval default null
)
returns "CreditReservation"
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_campaign public."Campaign";
    v_reservation public."CreditReservation";
    v_max_age interval := public._setting('CREDITS_RESERVATION_MAX_AGE')::interval;
    v_expires_in interval;
    v_balance numeric;
    v_reserved numeric;
begin
    perform public._require_money('amount', p_amount);
    if p_expires_in is not null and (p_expires_in <= interval '0' or p_expires_in > v_max_age) then
        raise exception 'expiresIn must be more than 0 and at most % (CREDITS_RESERVATION_MAX_AGE), got %',
            v_max_age, p_expires_in
            using errcode = 'MM400', column = 'expiresIn';
    end if;
    v_expires_in := coalesce(
        p_expires_in, least(public._setting('CREDITS_RESERVATION_TTL')::interval, v_max_age)
    );

    -- Lock order everywhere: campaign, wallet, reservation. The share lock keeps
    -- the campaign from turning final while its reservation is being made.
    select * into v_campaign from public."Campaign" as c where c.id = p_campaign_id for share;
    if not found then
        raise exception 'campaign % does not exist', p_campaign_id
            using errcode = 'MM404', column = 'campaignId';
    end if;
    if v_campaign.status in ('sent', 'failed') then
        raise exception 'campaign % is % and cannot reserve credits', p_campaign_id, v_campaign.status
            using errcode = 'MM409';
    end if;

    -- The wallet lock serialises reservations of one shop: the available
    -- credit read below cannot change until this transaction ends.
    select w.balance into v_balance
    from public."Wallet" as w
    where w."shopId" = v_campaign."shopId"
    for update;

    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id and r.status in ('active', 'consumed')
    order by r.status = 'active' desc, r."createdAt" desc
    limit 1;
    if found and v_reservation.status = 'active' then
        if v_reservation.amount = p_amount then
            return v_reservation;  -- a retry: the same reservation, nothing reserved twice
        end if;
        raise exception 'campaign % already holds reservation % of % credits', p_campaign_id,
            v_reservation.id, v_reservation.amount
            using errcode = 'MM409',
            hint = 'Consume or release it first; a campaign has at most one active reservation.';
    elsif found then
        raise exception 'campaign % already consumed its reservation %', p_campaign_id, v_reservation.id
            using errcode = 'MM409', hint = 'Its credits were charged; it cannot reserve again.';
    end if;

    select coalesce(sum(r.amount), 0) into v_reserved
    from public."CreditReservation" as r
    where r."shopId" = v_campaign."shopId" and r.status = 'active';
    if coalesce(v_balance, 0) - v_reserved < p_amount then
        raise exception 'shop % has % credits available, % requested', v_campaign."shopId",
            coalesce(v_balance, 0) - v_reserved, p_amount
            using errcode = 'MM402', column = 'amount',
            detail = format('balance %s, reserved by active reservations %s',
                coalesce(v_balance, 0), v_reserved),
            hint = 'Top up the wallet, or wait for active reservations to be consumed or released.';
    end if;

    insert into public."CreditReservation" ("shopId", "campaignId", amount, "expiresAt")
    values (v_campaign."shopId", p_campaign_id, p_amount, now() + v_expires_in)
    returning * into v_reservation;
    return v_reservation;
end;
$$;

comment on function credit_reserve(text, numeric, interval) is
'Credits service: reserves credits for a campaign before it sends, under the wallet lock; MM402 '
'when the shop''s available credit is short. Expires after p_expires_in, default '
'CREDITS_RESERVATION_TTL (48 hours). A retry returns the campaign''s active reservation.';
