create or replace function _payer_words_agree(p_words text[], p_other text[])
returns boolean
language sql
immutable
parallel safe
-- No set clause, so that the planner inlines it (operators of pg_catalog only).
as $$
    -- Every word of the shorter name is a word of the longer, and (so) they share at
    -- least two: {mukamana, aline} agrees with {aline, grace, mukamana}, {aline} does not.
    -- (A word written twice counts twice: "UWERA UWERA" would agree with "UWERA Marie".)
    select coalesce(
        least(cardinality(p_words), cardinality(p_other)) >= 2
        and (p_words <@ p_other or p_other <@ p_words),
        false
    );
$$;

comment on function _payer_words_agree(text[], text[]) is
'Whether two names, as words (_payer_name_words), are the same person''s as SIMs and member lists '
'write them: every word of the shorter is a word of the longer and they share at least two. '
'Order and a missing middle name do not matter. One expression, inlined by the planner.';
