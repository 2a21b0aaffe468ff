create or replace function _msisdn_e164(p_raw text, p_country_code text)
returns text
language sql
immutable
parallel safe
set search_path = pg_catalog, pg_temp
as $$
    select case
        when d ~ '^\+[1-9][0-9]{7,14}$' then d
        when d ~ ('^' || p_country_code || '[0-9]{6,12}$') then '+' || d
        when d ~ '^0[1-9][0-9]{5,11}$' then '+' || p_country_code || substr(d, 2)
        when d ~ '^[1-9][0-9]{8}$' then '+' || p_country_code || d
    end
    from (select regexp_replace(coalesce(p_raw, ''), '[ ().-]', '', 'g') as d) as s;
$$;

comment on function _msisdn_e164(text, text) is
'A phone number in E.164 (+2507...), from 07..., 2507..., +2507... or 7... forms with the given '
'country code; null for masked (*****482) or unrecognisable numbers: never invented.';
