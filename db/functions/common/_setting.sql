create or replace function _setting(p_key text)
returns text
language plpgsql
stable
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_value text;
begin
    select s.value into v_value from app_settings as s where s.key = p_key;
    if not found then
        raise exception 'unknown setting %', p_key
            using errcode = 'MM404', hint = 'See select key, value from app_settings.';
    end if;
    return v_value;
end;
$$;

comment on function _setting(text) is 'Current value of one app_settings key (text).';
