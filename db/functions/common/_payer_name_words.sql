create or replace function _payer_name_words(p_name text)
returns text[]
language sql
immutable
parallel safe
-- No set clause: it would keep the planner from inlining this expression into the
-- allocator's statements (every function it calls is pg_catalog's, searched first).
as $$
    -- Fold case and accents (translate from the accented letters, written as escapes:
    -- no extension needed); anything but letters and digits separates words.
    select string_to_array(
        btrim(regexp_replace(
            translate(
                lower(p_name),
                U&'\00E0\00E1\00E2\00E3\00E4\00E5\0101\00E7\0107\010D\00E8\00E9\00EA\00EB\0113\0117\0119\00EC\00ED\00EE\00EF'
                || U&'\012B\012F\0142\00F1\0144\00F2\00F3\00F4\00F5\00F6\00F8\014D\00F9\00FA\00FB\00FC\016B\00FD\00FF\017E\017A\017C',
                'aaaaaaaccceeeeeeeiiiiiilnnooooooouuuuuyyzzz'
            ),
            '[^a-z0-9]+', ' ', 'g'
        )),
        ' '
    );
$$;

comment on function _payer_name_words(text) is
'A person''s name as its words: case, accents and punctuation folded, in the order written '
'(null for null, empty when it has none). How SMS names and member names are compared '
'(_payer_words_agree) and remembered (_payer_name_key). One expression, inlined by the planner.';
