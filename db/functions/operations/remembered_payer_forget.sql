create or replace function remembered_payer_forget(p_id bigint, p_reason text)
returns remembered_payers
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_row public.remembered_payers;
begin
    perform public._require_text(
        p_reason, 'a reason is required', 'p_reason',
        'Say why, e.g. ''the member''s son no longer pays for her''.'
    );
    perform public._require_argument(p_id is not null, 'a remembered payer id is required', 'p_id');
    delete from public.remembered_payers where id = p_id returning * into v_row;
    if not found then
        raise exception 'remembered payer % does not exist', p_id
            using errcode = 'MM404', column = 'p_id', hint = 'select * from remembered_payers_list.';
    end if;
    perform public._audit(
        'remembered_payer_forget', 'remembered_payers', p_id::text, p_reason, to_jsonb(v_row), null
    );
    return v_row;
end;
$$;

comment on function remembered_payer_forget(bigint, text) is
'DBA: forget remembered payer p_id: its later SMS are cases again (or resolve by name and digits '
'if the payer is a member). Audited.';
