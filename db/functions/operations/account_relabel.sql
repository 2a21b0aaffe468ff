create or replace function account_relabel(p_old text, p_account text, p_reason text)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_new text := public._msisdn_e164(p_account, public._setting('MOMO_DEFAULT_COUNTRY_CODE'));
    v_inbox bigint;
    v_parses bigint;
    v_holds bigint;
    v_collection bigint := 0::bigint;
    v_after jsonb;
begin
    perform public._require_text(
        p_reason, 'a reason is required to relabel an account', 'p_reason',
        'Say why, e.g. ''collection phone moved from SMSSync to sms-gate, ticket 12''.'
    );
    perform public._require_argument(
        coalesce(btrim(p_old), '') <> '', 'the old account name is required', 'p_old',
        'The account as stored: select distinct account from momo_parsed_txns.'
    );
    perform public._require_argument(
        v_new is not null, format('%s is not a phone number', coalesce(p_account, 'null')),
        'p_account', 'The collection phone''s own number, e.g. +250788123456.'
    );
    perform public._require_argument(
        v_new <> p_old, format('%s is already the account''s number', p_old), 'p_account'
    );

    -- The SMS history (spec-route rows without an account are named by their ingest_source),
    -- the balance chain's parses, its held credits, then the group's collection account.
    update public.momo_sms_inbox
    set receiving_account = v_new
    where receiving_account = p_old or (receiving_account is null and ingest_source = p_old);
    get diagnostics v_inbox = row_count;
    update public.momo_parsed_txns set account = v_new where account = p_old;
    get diagnostics v_parses = row_count;
    update public.momo_balance_holds set account = v_new where account = p_old;
    get diagnostics v_holds = row_count;
    if to_regclass('public.collection_accounts') is not null then
        begin
            execute 'update public.collection_accounts set account = $1 where account = $2'
            using v_new, p_old;
            get diagnostics v_collection = row_count;
        exception when unique_violation then
            raise exception '% already collects for a group: % cannot become it', v_new, p_old
                using errcode = 'MM409',
                hint = 'Remove one of the two collection accounts first (collection_account_remove).';
        end;
    end if;

    if v_inbox + v_parses + v_holds + v_collection = 0 then
        raise exception 'no SMS and no collection account is named %', p_old
            using errcode = 'MM404',
            hint = 'See select account, count(*) from momo_parsed_txns group by account.';
    end if;

    v_after := jsonb_build_object(
        'account', v_new, 'inbox_rows', v_inbox, 'parses', v_parses, 'holds', v_holds,
        'collection_accounts', v_collection
    );
    perform public._audit(
        'account_relabel', 'receiving_account', p_old, p_reason,
        jsonb_build_object('account', p_old), v_after
    );
    return v_after;
end;
$$;

comment on function account_relabel(text, text, text) is
'DBA: carries an account''s history over to the collection phone''s own number (E.164) after '
'the phone changed gateway app (or the app started telling its number): re-labels its SMS, its '
'balance chain parses, held credits and collection account, so balance history and per-account '
'settings continue under the number. Audited; MM400 bad argument, MM404 unknown account, MM409 '
'the number already collects for a group. Returns the counts re-labelled.';
