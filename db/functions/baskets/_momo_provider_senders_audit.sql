create or replace function _momo_provider_senders_audit()
returns trigger
language plpgsql
-- app_dba changes senders directly but may not write audit_log itself.
security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform public._require_audited_table(tg_relid, 'public._momo_provider_senders_audit()'::regprocedure);
    perform public._audit(
        'momo_provider_senders.' || lower(tg_op),
        'momo_provider_senders',
        coalesce(new.provider, old.provider) || '/' || coalesce(new.sender, old.sender),
        null,
        case when tg_op <> 'INSERT' then to_jsonb(old) end,
        case when tg_op <> 'DELETE' then to_jsonb(new) end
    );
    return null;
end;
$$;

comment on function _momo_provider_senders_audit() is
'Trigger function: every insert, update or delete of an operator sender is written to audit_log '
'(who, when, the row before and after): the list decides which SMS can ever be credited.';

create or replace trigger momo_provider_senders_audit
after insert or update or delete on momo_provider_senders
for each row execute function _momo_provider_senders_audit();
