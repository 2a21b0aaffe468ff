create or replace function _payer_name_key(p_name text)
returns text
language sql
immutable
parallel safe
set search_path = pg_catalog, public, pg_temp
as $$
    -- Two words at least, as _payer_names_agree asks of a name.
    select case when cardinality(w) >= 2 then array_to_string(w, ' ') end
    from (select _payer_name_words(p_name) as w) as n;
$$;

comment on function _payer_name_key(text) is
'The normalised name a payer is remembered by (remembered_payers.payer_name): its words '
'(_payer_name_words) sorted and joined by spaces; null unless it has two words or more.';
