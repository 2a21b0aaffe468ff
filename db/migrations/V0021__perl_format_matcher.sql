-- Matching the SMS formats moves to Perl's regular expression engine.
--
-- PostgreSQL's engine takes 150-450 us to extract the capturing groups of one
-- format from one 300-character SMS (the groups are "dissected" after the
-- match), which caps allocation near 1,000 SMS/s. Perl extracts the same
-- groups in a few microseconds. Only the matching moves: formats stay rows of
-- momo_sms_formats, and every rule stays in SQL. PL/Perl is a trusted
-- language: it cannot reach the file system or run code from a pattern.
-- Where PL/Perl cannot be installed (managed PostgreSQL services that offer
-- pg_cron but not plperl), or momo.regex_engine = 'postgres' is set for the
-- migration (MOMO_REGEX_ENGINE=postgres scripts/migrate.sh), the same function
-- is written in PL/pgSQL on PostgreSQL's engine instead: slower, same results
-- (db/functions/baskets/_regex_first_match*.sql hold the current definitions).
-- Changed after it was first applied so that a server without plperl can be
-- migrated at all; where plperl is available the statements it runs are the
-- ones it always ran.
do $migration$
begin
    if current_setting('momo.regex_engine', true) is distinct from 'postgres'
        and exists (select from pg_available_extensions where name = 'plperl') then
        create extension if not exists plperl;

        -- The engine behind the parser. A function, not a file under db/functions,
        -- because the check constraint below needs it while this migration runs.
        -- (The body is kept as first written, unindented: the function is the same.)
create function _regex_first_match(
    p_texts text[],
    p_keywords text[],
    p_patterns text[]
)
returns table (ord integer, pattern_no integer, groups text[])
language plperl
immutable
strict
parallel safe
as $perl$
    my ($texts, $keywords, $patterns) = @_;
    # Compiled patterns are kept for the session; /s: "." also matches a
    # newline, as in PostgreSQL's default (non newline-sensitive) mode.
    my $cache = $_SHARED{regex_first_match} //= {};
    %$cache = () if keys %$cache > 1000;
    my @compiled = map {
        my $pattern = $_;
        $cache->{$pattern} //= eval { qr/$pattern/s }
            // die "pattern is not a valid Perl regular expression: $pattern\n";
    } @$patterns;
    my $ord = 0;
    for my $text (@$texts) {
        $ord++;
        next unless defined $text;
        for my $i (0 .. $#compiled) {
            next if index($text, $keywords->[$i] // '') < 0;
            if ($text =~ $compiled[$i]) {
                # Every group of the pattern ($#+ of them), undef for one that took no
                # part (@{^CAPTURE} would drop trailing ones).
                my @groups = map {
                    defined $-[$_] ? substr($text, $-[$_], $+[$_] - $-[$_]) : undef
                } 1 .. $#+;
                return_next({ ord => $ord, pattern_no => $i + 1, groups => \@groups });
                last;
            }
        }
    }
    return undef;
$perl$;

        comment on function _regex_first_match(text[], text[], text[]) is
        'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in '
        'the text and which matches it (pattern_no = its position), with its capturing groups (null for '
        'a group that took no part). Texts that match none are left out. Perl regular expressions.';
    else
        create function _regex_first_match(
            p_texts text[],
            p_keywords text[],
            p_patterns text[]
        )
        returns table (ord integer, pattern_no integer, groups text[])
        language plpgsql
        immutable
        strict
        parallel safe
        as $plpgsql$
        declare
            v_text text;
            v_ord integer := 0;
            v_groups text[];
        begin
            foreach v_text in array p_texts loop
                v_ord := v_ord + 1;
                continue when v_text is null;
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
        $plpgsql$;

        comment on function _regex_first_match(text[], text[], text[]) is
        'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in '
        'the text and which matches it (pattern_no = its position), with its capturing groups (null for '
        'a group that took no part). Texts that match none are left out. PostgreSQL regular expressions.';
    end if;
end
$migration$;

create function _regex_captures(p_text text, p_pattern text)
returns text[]
language sql
immutable
strict
parallel safe
return (
    select groups
    from _regex_first_match(array[p_text], array[''], array[p_pattern])
);

comment on function _regex_captures(text, text) is
'The capturing groups of p_pattern in p_text by the parser''s engine (Perl), null if no match.';

-- A format must read its sample the same way in both engines, so a pattern
-- written for PostgreSQL that Perl reads differently is refused at insert.
alter table momo_sms_formats
add constraint momo_sms_formats_engines_agree check (
    _regex_captures(sample, compiled_pattern)
    is not distinct from regexp_match(sample, compiled_pattern)
);
