-- Matching the SMS formats moves to Perl's regular expression engine.
--
-- PostgreSQL's engine takes 150-450 us to extract the capturing groups of one
-- format from one 300-character SMS (the groups are "dissected" after the
-- match), which caps allocation near 1,000 SMS/s. Perl extracts the same
-- groups in a few microseconds. Only the matching moves: formats stay rows of
-- momo_sms_formats, and every rule stays in SQL. PL/Perl is a trusted
-- language: it cannot reach the file system or run code from a pattern.
create extension if not exists plperl;

-- The engine behind the parser. A function, not a file under db/functions,
-- because the check constraint below needs it while this migration runs.
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
