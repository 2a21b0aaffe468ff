create or replace function _payer_name_key(p_name text)
returns text
language sql
immutable
parallel safe
set search_path = pg_catalog, public, pg_temp
as $$
    -- Its distinct words sorted, two at least (as _payer_words_agree asks of a name).
    select case when count(distinct w.word) >= 2 then string_agg(distinct w.word, ' ' order by w.word) end
    from unnest(_payer_name_words(p_name)) as w (word)
    where w.word <> '';
$$;

comment on function _payer_name_key(text) is
'The normalised name a payer is remembered by (remembered_payers.payer_name): its distinct words '
'(_payer_name_words) sorted and joined by spaces; null unless it has two different words or more.';
