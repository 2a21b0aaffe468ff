create or replace function _msisdn_e164(p_raw text, p_country_code text)
returns text
language sql
immutable
parallel safe
-- No SET clause and a single expression, so the planner inlines it (only built-ins).
-- Spaces, brackets, dots and dashes are dropped before the number is read.
return case
    when translate(p_raw, ' ().-', '') ~ '^\+[1-9][0-9]{7,14}$'
        then translate(p_raw, ' ().-', '')
    when translate(p_raw, ' ().-', '') ~ ('^' || p_country_code || '[0-9]{6,12}$')
        then '+' || translate(p_raw, ' ().-', '')
    when translate(p_raw, ' ().-', '') ~ '^0[1-9][0-9]{5,11}$'
        then '+' || p_country_code || substr(translate(p_raw, ' ().-', ''), 2)
    when translate(p_raw, ' ().-', '') ~ '^[1-9][0-9]{8}$'
        then '+' || p_country_code || translate(p_raw, ' ().-', '')
end;

comment on function _msisdn_e164(text, text) is
'A phone number in E.164 (+2507...), from 07..., 2507..., +2507... or 7... forms with the given '
'country code; null for masked (*****482) or unrecognisable numbers: never invented.';
