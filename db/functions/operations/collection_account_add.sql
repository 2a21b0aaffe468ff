-- The collection-account pair: DBAs tie a receiving account to the group it
-- collects for, and untie it. Each change is audited.

create or replace function collection_account_add(p_ikimina_id uuid, p_account text, p_reason text)
returns collection_accounts
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_row public.collection_accounts;
begin
    perform public._require_text(
        p_reason, 'a reason is required', 'p_reason',
        'Say why, e.g. ''the group''s collection phone, SIM registered to the treasurer''.'
    );
    perform public._require_argument(p_ikimina_id is not null, 'a group is required', 'p_ikimina_id');
    perform public._require_argument(
        coalesce(btrim(p_account), '') <> '', 'an account is required', 'p_account',
        'The account as the SMS are stored with it: select distinct account from momo_parsed_txns.'
    );
    if not exists (select from public.ibimina where id = p_ikimina_id) then
        raise exception 'group % does not exist', p_ikimina_id
            using errcode = 'MM404', column = 'p_ikimina_id', hint = 'select id, name from ibimina.';
    end if;
    select * into v_row from public.collection_accounts where account = p_account;
    if found then
        raise exception 'account % already collects for group %', p_account, v_row.ikimina_id
            using errcode = 'MM409', column = 'p_account',
            hint = 'An account collects for one group: collection_account_remove() it first.';
    end if;
    insert into public.collection_accounts (account, ikimina_id)
    values (p_account, p_ikimina_id)
    returning * into v_row;
    perform public._audit(
        'collection_account_add', 'collection_accounts', p_account, p_reason, null, to_jsonb(v_row)
    );
    return v_row;
exception when unique_violation then
    raise exception 'account % was just added by another session', p_account
        using errcode = 'MM409', column = 'p_account';
end;
$$;

comment on function collection_account_add(uuid, text, text) is
'DBA: the receiving account p_account (as stored on parses: the gateway''s receiving number, '
'else its ingest source) collects for group p_ikimina_id from now on: SMS it receives can only '
'credit that group''s active members, and masked payers are recognised by name and visible '
'digits. MM409 when the account already collects for a group. Audited.';

create or replace function collection_account_remove(p_account text, p_reason text)
returns collection_accounts
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_row public.collection_accounts;
begin
    perform public._require_text(
        p_reason, 'a reason is required', 'p_reason',
        'Say why, e.g. ''the group changed its collection phone''.'
    );
    perform public._require_argument(
        coalesce(btrim(p_account), '') <> '', 'an account is required', 'p_account'
    );
    delete from public.collection_accounts where account = p_account returning * into v_row;
    if not found then
        raise exception 'account % is not a collection account', p_account
            using errcode = 'MM404', column = 'p_account', hint = 'select * from collection_accounts.';
    end if;
    perform public._audit(
        'collection_account_remove', 'collection_accounts', p_account, p_reason, to_jsonb(v_row), null
    );
    return v_row;
end;
$$;

comment on function collection_account_remove(text, text) is
'DBA: the account p_account no longer collects for its group; SMS it receives from now on '
'resolve as on an account of no group (full number or member code only). Audited.';
