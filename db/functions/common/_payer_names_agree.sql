create or replace function _payer_names_agree(p_name text, p_other text)
returns boolean
language sql
immutable
parallel safe
set search_path = pg_catalog, public, pg_temp
as $$
    -- Every word of the shorter name is a word of the longer, and (so) they share at
    -- least two: "MUKAMANA Aline" agrees with "Aline Grace MUKAMANA", "Aline" does not.
    select coalesce(
        cardinality(a.w) >= 2 and cardinality(b.w) >= 2
        and case when cardinality(a.w) <= cardinality(b.w) then a.w <@ b.w else b.w <@ a.w end,
        false
    )
    from (select _payer_name_words(p_name) as w) as a
    cross join (select _payer_name_words(p_other) as w) as b;
$$;

comment on function _payer_names_agree(text, text) is
'Whether two names are the same person''s as SIMs and member lists write them: after folding '
'case, accents and punctuation (_payer_name_words), every word of the shorter is a word of the '
'longer and they share at least two words. Order and a missing middle name do not matter.';
