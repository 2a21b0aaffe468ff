create or replace function _app_settings_validate()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    begin
        case new.value_type
            when 'integer' then
                if new.value::integer < 0 then
                    raise exception using message = 'negative';
                end if;
            when 'numeric' then
                -- a number, not NaN or an infinity
                if new.value::numeric in ('NaN', 'Infinity', '-Infinity') then
                    raise exception using message = 'not finite';
                end if;
            when 'amount' then
                -- money: the shared check (finite, positive, at most 2 decimals, in range)
                perform public._require_money(new.key, new.value::numeric);
            when 'boolean' then
                perform new.value::boolean;
            when 'interval' then
                perform new.value::interval;
            when 'timezone' then
                perform now() at time zone new.value;
            else
                null;
        end case;
    exception when others then
        raise exception 'setting %: % is not a valid %', new.key, quote_literal(new.value),
            new.value_type
            using errcode = 'MM400';
    end;
    new.updated_at := now();
    new.updated_by := session_user::text;
    return new;
end;
$$;

comment on function _app_settings_validate() is
'Trigger function: a setting''s value must parse as its declared type.';

create or replace trigger app_settings_validate
before insert or update on app_settings
for each row execute function _app_settings_validate();
