create or replace function _credit_charge_late(
    p_campaign_id text,
    p_used numeric,
    p_detail jsonb default null
)
returns "CreditTransaction"
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_reservation public."CreditReservation";
    v_debit public."CreditTransaction";
begin
    if coalesce(p_used, 0) <= 0 then
        return null;
    end if;
    -- The campaign's latest reservation, freed (released or expired) and never charged.
    select * into v_reservation
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id
    order by r."createdAt" desc, r.id desc
    limit 1;
    if not found or v_reservation.status not in ('released', 'expired') then
        return null;
    end if;
    -- Never more than the campaign reserved, as for an active reservation
    -- (_credit_consume_reservation): an excess is refused, never charged.
    if p_used > v_reservation.amount then
        raise exception 'campaign % reports % credits used, but its reservation % held % (now %): not charged',
            p_campaign_id, p_used, v_reservation.id, v_reservation.amount, v_reservation.status
            using errcode = 'MM400', column = 'creditsUsed',
            hint = 'A campaign can use at most what it reserved; report the credits it really used.';
    end if;
    -- Lock order everywhere: campaign (the caller's update holds it), wallet, reservation.
    perform from public."Wallet" as w where w."shopId" = v_reservation."shopId" for update;
    -- One debit per reservation (unique "reservationId"): charged once, whoever races.
    insert into public."CreditTransaction" ("shopId", type, amount, "reservationId", "lateCharge", meta)
    values (
        v_reservation."shopId", 'debit', p_used, v_reservation.id, true,
        jsonb_build_object(
            'campaignId', p_campaign_id,
            'reservationStatus', v_reservation.status,
            'releaseReason', v_reservation.meta ->> 'releaseReason'
        ) || coalesce(p_detail, '{}')
    )
    on conflict ("reservationId") do nothing
    returning * into v_debit;
    if v_debit.id is not null then
        perform public._audit(
            'credit_late_charge', 'CreditTransaction', v_debit.id,
            format('campaign %s used %s credits after reservation %s was %s', p_campaign_id, p_used,
                v_reservation.id, v_reservation.status),
            to_jsonb(v_reservation),
            jsonb_build_object(
                'debit', to_jsonb(v_debit),
                'wallet', (select to_jsonb(w) from public."Wallet" as w where w."shopId" = v_debit."shopId")
            )
        );
    end if;
    return v_debit;
end;
$$;

comment on function _credit_charge_late(text, numeric, jsonb) is
'Internal: charges p_used credits of a campaign whose latest reservation was released or expired '
'before the campaign finished: one late debit ("lateCharge") of that reservation, even if it '
'overdraws the wallet (alert credit_wallets_overdrawn), but never more than the reservation held '
'(MM400). Audited. Null when nothing to charge.';
