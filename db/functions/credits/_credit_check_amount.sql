create or replace function _credit_check_amount(
    p_value numeric,
    p_field text,
    p_allow_zero boolean default false
)
returns numeric
language plpgsql
immutable
set search_path = pg_catalog, public, pg_temp
as $$
begin
    if p_value is null then
        raise exception '% is required', p_field using errcode = 'MM400', column = p_field;
    end if;
    if p_value = 'NaN'::numeric or p_value >= 1e16 then
        raise exception '% is out of range: %', p_field, p_value
            using errcode = 'MM400', column = p_field;
    end if;
    if p_value < 0 or (p_value = 0 and not p_allow_zero) then
        raise exception '% must be %, got %', p_field,
            case when p_allow_zero then 'zero or more' else 'positive' end, p_value
            using errcode = 'MM400', column = p_field;
    end if;
    if p_value <> round(p_value, 2) then
        raise exception '% has more than 2 decimal places: %', p_field, p_value
            using errcode = 'MM400', column = p_field,
            hint = 'Credits are counted in hundredths; nothing is rounded silently.';
    end if;
    return p_value;
end;
$$;

comment on function _credit_check_amount(numeric, text, boolean) is
'Validates a credit amount argument (present, positive or zero when allowed, at most 2 decimals, '
'in range) or raises MM400 naming the field; returns it.';
