create or replace function _credit_settle_campaign(
    p_campaign_id text,
    p_status text,
    p_credits_used numeric,
    p_settled_by text
)
returns "CreditReservation"
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_reservation_id text;
    v_detail jsonb := jsonb_build_object('settledBy', p_settled_by, 'campaignStatus', p_status);
begin
    select r.id into v_reservation_id
    from public."CreditReservation" as r
    where r."campaignId" = p_campaign_id and r.status = 'active';
    if not found then
        -- Its reservation was released or expired before it finished: the credits it
        -- used are still charged (late debit), never dropped.
        perform public._credit_charge_late(p_campaign_id, p_credits_used, v_detail);
        return null;
    end if;
    if p_credits_used is not null then
        return public._credit_consume_reservation(v_reservation_id, p_credits_used, v_detail);
    end if;
    return public._credit_release_reservation(
        v_reservation_id, 'released', 'campaign_' || p_status, v_detail
    );
end;
$$;

comment on function _credit_settle_campaign(text, text, numeric, text) is
'Internal: settles the active reservation of a campaign that reached a final status: consumes '
'"creditsUsed" when the sender reported it, else releases it (reason campaign_sent or '
'campaign_failed). Null when nothing was active; then "creditsUsed" is charged as a late debit '
'of its released or expired reservation (_credit_charge_late).';
