create or replace function _credit_campaign_guard()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    if new.id <> old.id or new."shopId" <> old."shopId" then
        raise exception 'campaign % cannot change its id or shop', old.id using errcode = 'MM409';
    end if;
    if old.status in ('sent', 'failed')
        and (new.status, new."creditsUsed") is distinct from (old.status, old."creditsUsed") then
        raise exception 'campaign % is % and cannot change status or "creditsUsed"', old.id, old.status
            using errcode = 'MM409',
            hint = 'sent and failed are final: its credits are settled. Create a new campaign.';
    end if;
    new."updatedAt" := now();
    return new;
end;
$$;

comment on function _credit_campaign_guard() is
'Trigger function on "Campaign": id and shop never change, and a final campaign (sent, failed) '
'keeps its status and "creditsUsed", since its credits were settled on them.';

create or replace trigger campaign_guard
before update on "Campaign"
for each row execute function _credit_campaign_guard();
