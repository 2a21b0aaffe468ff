-- The engine behind the parser, one contract and two matchers:
-- _regex_first_match_perl (PL/Perl, a few microseconds per SMS; only where
-- plperl is installed) and _regex_first_match_postgres (PL/pgSQL on
-- PostgreSQL's engine, 150-450 us). _regex_engine() picks one. First defined in
-- V0021 (the check constraint momo_sms_formats_engines_agree needs
-- _regex_captures while that migration runs); this file is the current
-- definition.

create or replace function _regex_first_match(
    p_texts text[],
    p_keywords text[],
    p_patterns text[]
)
returns table (ord integer, pattern_no integer, groups text[])
language plpgsql
stable
strict
parallel safe
as $$
begin
    if _regex_engine() = 'perl' then
        return query
        select m.ord, m.pattern_no, m.groups
        from public._regex_first_match_perl(p_texts, p_keywords, p_patterns) as m;
    else
        return query
        select m.ord, m.pattern_no, m.groups
        from public._regex_first_match_postgres(p_texts, p_keywords, p_patterns) as m;
    end if;
end;
$$;

comment on function _regex_first_match(text[], text[], text[]) is
'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in '
'the text and which matches it (pattern_no = its position), with its capturing groups (null for '
'a group that took no part). Texts that match none are left out. By the matcher _regex_engine() '
'picks (Perl where PL/Perl is installed, else PostgreSQL).';

-- The check constraint momo_sms_formats_engines_agree compares this with
-- regexp_match: wherever PL/Perl is installed it reads with Perl, whatever
-- momo.regex_engine a session picks, so every stored format reads the same in
-- both matchers and the setting can be changed at any time. Without PL/Perl
-- there is one engine, and _regex_first_match_perl.sql checks the stored
-- formats when plperl is installed later.
create or replace function _regex_captures(p_text text, p_pattern text)
returns text[]
language plpgsql
stable
strict
parallel safe
as $$
begin
    if to_regprocedure('public._regex_first_match_perl(text[], text[], text[])') is not null then
        return (
            select m.groups
            from public._regex_first_match_perl(array[p_text], array[''], array[p_pattern]) as m
        );
    end if;
    return (
        select m.groups
        from public._regex_first_match_postgres(array[p_text], array[''], array[p_pattern]) as m
    );
end;
$$;

comment on function _regex_captures(text, text) is
'The capturing groups of p_pattern in p_text by the Perl matcher where PL/Perl is installed '
'(else the PostgreSQL one), null if no match: what momo_sms_formats_engines_agree compares '
'with regexp_match.';
