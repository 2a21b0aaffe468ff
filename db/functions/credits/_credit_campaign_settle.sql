create or replace function _credit_campaign_settle()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform public._credit_settle_campaign(
        new.id, new.status, new."creditsUsed", 'campaign_status_trigger'
    );
    return null;
end;
$$;

comment on function _credit_campaign_settle() is
'Trigger function on "Campaign": when a campaign becomes sent or failed, its reservation is '
'settled in the same transaction, so no code path completes a campaign and leaks credits.';

create or replace trigger campaign_settle_credits
after update of status on "Campaign"
for each row when (new.status in ('sent', 'failed') and old.status is distinct from new.status)
execute function _credit_campaign_settle();
