create or replace function _require_money(
    p_name text,
    p_value numeric,
    p_required boolean default true,
    p_allow_zero boolean default false
)
returns numeric
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_value is null then
        if p_required then
            raise exception '% is required', p_name using errcode = 'MM400', column = p_name;
        end if;
        return null;
    end if;
    perform public._money_exact(p_name, p_value);  -- NaN, infinities, decimals, range
    if p_value < 0 or (p_value = 0 and not p_allow_zero) then
        raise exception '% must be %, got %', p_name,
            case when p_allow_zero then 'zero or more' else 'positive' end, p_value
            using errcode = 'MM400', column = p_name;
    end if;
    return p_value;
end;
$$;

comment on function _require_money(text, numeric, boolean, boolean) is
'The one check of a money argument: raises MM400 naming p_name when p_value is null (if '
'required), NaN, infinite, has more than 2 decimals, is 1e16 or more (beyond numeric(18, 2)), '
'negative or zero (unless allowed); returns it. Used by every correction and credit function.';
