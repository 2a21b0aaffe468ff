-- The engine behind the parser: Perl's regular expressions (PL/Perl, a trusted
-- language), a few microseconds per SMS where PostgreSQL's took 150-450 us to
-- extract the groups. First defined in V0021 (the check constraint
-- momo_sms_formats_engines_agree needs _regex_captures while that migration
-- runs); this file is the current definition.

create or replace function _regex_first_match(
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

create or replace function _regex_captures(p_text text, p_pattern text)
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
