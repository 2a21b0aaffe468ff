-- The Perl matcher: Perl's regular expressions (PL/Perl, a trusted language), a
-- few microseconds per SMS where PostgreSQL's engine takes 150-450 us to
-- extract the groups (see V0021). Optional: created only where the plperl
-- extension is installed (V0021 installs it where the server offers it, unless
-- the migration ran with momo.regex_engine = 'postgres'); elsewhere this file
-- does nothing and _regex_first_match uses _regex_first_match_postgres. After a
-- DBA installs plperl on a database that had none (create extension plperl,
-- then scripts/migrate.sh), this file creates the function and refuses it if
-- a format already stored would read its sample differently in Perl.

do $file$
begin
    if not exists (select from pg_extension where extname = 'plperl') then
        return;
    end if;

    -- (Dynamic, so that a server without plperl never parses a plperl function.)
    execute $create$
create or replace function _regex_first_match_perl(
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
$perl$
$create$;

    comment on function _regex_first_match_perl(text[], text[], text[]) is
    'For each text (ord = its position): the first pattern, in array order, whose keyword occurs in '
    'the text and which matches it (pattern_no = its position), with its capturing groups (null for '
    'a group that took no part). Texts that match none are left out. Perl regular expressions; '
    'called through _regex_first_match.';

    -- The formats were checked against the engines there were when stored.
    if exists (
        select from momo_sms_formats as f
        where _regex_captures(f.sample, f.compiled_pattern)
        is distinct from regexp_match(f.sample, f.compiled_pattern)
    ) then
        raise exception 'an SMS format reads its sample differently in Perl than in PostgreSQL'
        using errcode = 'MM409',
        detail = (
            select string_agg(f.name, ', ' order by f.name) from momo_sms_formats as f
            where _regex_captures(f.sample, f.compiled_pattern)
            is distinct from regexp_match(f.sample, f.compiled_pattern)
        ),
        hint = 'Fix or disable and rewrite those formats (momo_sms_formats_engines_agree) '
        'before installing plperl.';
    end if;
end
$file$;
