create or replace function _money_exact(p_name text, p_value numeric)
returns numeric
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_value is null then
        return null;
    end if;
    -- numeric has NaN and +/-Infinity: neither is an amount (NaN = NaN holds in PostgreSQL).
    if p_value = 'NaN' then
        raise exception '% must be a number, got NaN', p_name using errcode = 'MM400', column = p_name;
    end if;
    if p_value in ('Infinity', '-Infinity') then
        raise exception '% must be a finite amount, got %', p_name, p_value
            using errcode = 'MM400', column = p_name;
    end if;
    if p_value <> round(p_value, 2) then
        raise exception '% must have at most 2 decimals, got %', p_name, p_value
            using errcode = 'MM400', column = p_name,
            hint = 'Amounts are counted in hundredths at most; nothing is rounded silently.';
    end if;
    if abs(p_value) >= 1e16 then
        raise exception '% is out of range: % (at most 9999999999999999.99)', p_name, p_value
            using errcode = 'MM400', column = p_name;
    end if;
    return round(p_value, 2);  -- exactly two decimals: 60 -> 60.00
end;
$$;

comment on function _money_exact(text, numeric) is
'The exactness part of the money check: raises MM400 naming p_name when p_value is NaN, '
'infinite, has more than 2 decimals or is beyond numeric(18, 2) (|x| >= 1e16); returns it with '
'exactly two decimals (null stays null). _require_money adds presence and sign.';
