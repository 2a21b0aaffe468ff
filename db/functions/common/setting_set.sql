create or replace function setting_set(p_key text, p_value text, p_reason text)
returns app_settings
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_before app_settings;
    v_after app_settings;
begin
    perform public._require_text(
        p_reason, format('a reason is required to change setting %s', p_key), 'p_reason'
    );
    select * into v_before from app_settings where key = p_key for update;
    if not found then
        raise exception 'unknown setting %', p_key
            using errcode = 'MM404', hint = 'See select key, value, description from app_settings.';
    end if;
    update app_settings set value = p_value where key = p_key returning * into v_after;
    perform _audit('setting_set', 'app_settings', p_key, p_reason,
        to_jsonb(v_before), to_jsonb(v_after));
    return v_after;
end;
$$;

comment on function setting_set(text, text, text) is
'DBA: change one runtime setting (validated against its type) with a reason; audited.';
