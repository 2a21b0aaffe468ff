create or replace function _payer_name_words(p_name text)
returns text[]
language sql
immutable
parallel safe
set search_path = pg_catalog, pg_temp
as $$
    -- Fold case and accents (translate from the accented letters, written as escapes:
    -- no extension needed); anything but letters and digits separates words; the
    -- distinct words, sorted.
    select array_agg(distinct w.word order by w.word)
    from regexp_split_to_table(
        translate(
            lower(coalesce(p_name, '')),
            U&'\00E0\00E1\00E2\00E3\00E4\00E5\0101\00E7\0107\010D\00E8\00E9\00EA\00EB\0113\0117\0119\00EC\00ED\00EE\00EF'
            || U&'\012B\012F\0142\00F1\0144\00F2\00F3\00F4\00F5\00F6\00F8\014D\00F9\00FA\00FB\00FC\016B\00FD\00FF\017E\017A\017C',
            'aaaaaaaccceeeeeeeiiiiiilnnooooooouuuuuyyzzz'
        ),
        '[^a-z0-9]+'
    ) as w (word)
    where w.word <> '';
$$;

comment on function _payer_name_words(text) is
'A person''s name as a set of words: case, accents and punctuation folded, distinct, sorted '
'(null when it has none). How SMS names and member names are compared and remembered.';
