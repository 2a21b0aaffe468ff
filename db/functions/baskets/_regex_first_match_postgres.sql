-- The PostgreSQL matcher: the same contract as _regex_first_match_perl on
-- PostgreSQL's own regular expressions, for servers without PL/Perl. Slower
-- (150-450 us to extract the groups of one SMS, see V0021), same results: the
-- patterns are the formats' compiled_pattern, which PostgreSQL's engine
-- defines (momo_sms_formats_sample_matches, _all_groups_named), and regexp_match
-- gives null for a group that took no part, as the Perl matcher does.

create or replace function _regex_first_match_postgres(
    p_texts text[],
    p_keywords text[],
    p_patterns text[]
)
returns table (ord integer, pattern_no integer, groups text[])
language plpgsql
immutable
strict
parallel safe
as $$
declare
    v_text text;
    v_ord integer := 0;
    v_groups text[];
begin
    foreach v_text in array p_texts loop
        v_ord := v_ord + 1;
        continue when v_text is null;
        -- The first pattern, in order, whose keyword occurs and which matches.
        for v_i in 1 .. coalesce(cardinality(p_patterns), 0) loop
            continue when strpos(v_text, coalesce(p_keywords[v_i], '')) = 0;
            v_groups := regexp_match(v_text, p_patterns[v_i]);
            if v_groups is not null then
                ord := v_ord;
                pattern_no := v_i;
                groups := v_groups;
                return next;
                exit;
            end if;
        end loop;
    end loop;
end;
$$;

comment on function _regex_first_match_postgres(text[], text[], text[]) is
'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in '
'the text and which matches it (pattern_no = its position), with its capturing groups (null for '
'a group that took no part). Texts that match none are left out. PostgreSQL regular expressions; '
'called through _regex_first_match.';
