-- Named groups are written (?<name>...) but PostgreSQL regular expressions
-- have none: these immutable helpers derive the positional pattern and the
-- group names, as generated columns, so every format is compiled the same way.
create function _regex_group_names(p_pattern text)
returns text[]
language sql
immutable
strict
parallel safe
return array(
    select m[1] from regexp_matches(p_pattern, '\(\?<([a-z_]+)>', 'g') as m
);

comment on function _regex_group_names(text) is
'The (?<name>...) group names of a pattern, in order.';

create function _regex_strip_group_names(p_pattern text)
returns text
language sql
immutable
strict
parallel safe
return regexp_replace(p_pattern, '\(\?<[a-z_]+>', '(', 'g');

comment on function _regex_strip_group_names(text) is
'The pattern with (?<name> turned into a plain capturing group.';

create table momo_sms_formats (
    id integer generated always as identity primary key,
    name text not null unique check (name ~ '^[a-z0-9_]+$'),
    provider text not null,
    kind text not null check (kind ~ '^[a-z0-9_]+$'),
    direction text check (direction in ('in', 'out')),
    allocatable boolean not null default false,
    priority integer not null default 100,
    keyword text not null check (keyword <> ''),
    pattern text not null,
    compiled_pattern text not null generated always as (_regex_strip_group_names(pattern)) stored,
    field_names text[] not null generated always as (_regex_group_names(pattern)) stored,
    sample text not null,
    enabled boolean not null default true,
    description text not null,
    created_at timestamptz not null default now(),
    constraint momo_sms_formats_allocatable_is_money_in
    check (not allocatable or direction = 'in'),
    constraint momo_sms_formats_known_fields check (
        field_names <@ array['amount', 'currency', 'txn_id', 'ts', 'name', 'msisdn', 'note']
        and 'amount' = any(field_names)
    ),
    constraint momo_sms_formats_sample_matches check (sample ~ compiled_pattern),
    constraint momo_sms_formats_keyword_in_sample check (strpos(sample, keyword) > 0),
    -- every capturing group must be named: (?:...) for the others
    constraint momo_sms_formats_all_groups_named
    check (cardinality(regexp_match(sample, compiled_pattern)) = cardinality(field_names))
);

comment on table momo_sms_formats is
'SMS formats as data: the parser tries enabled formats whose keyword occurs in the SMS, lowest '
'priority first. pattern is a regular expression with named parts (?<amount>...), (?<currency>...), '
'(?<txn_id>...), (?<ts>...), (?<name>...), (?<msisdn>...), (?<note>...); sample is an SMS it must match. '
'Only allocatable formats (money in from a person) can ever become contributions.';

comment on column momo_sms_formats.compiled_pattern is
'pattern with its group names removed (PostgreSQL regular expressions have no named groups).';

alter table momo_parsed_txns
add column duplicate_of bigint references momo_parsed_txns (id);

comment on column momo_parsed_txns.duplicate_of is
'For an SMS whose transaction id was already parsed: the earlier parse (its txn_id is then kept '
'only in parsed_json, so the unique txn_id still means one transaction, one row).';

create index momo_parsed_txns_duplicate_of_idx on momo_parsed_txns (duplicate_of);

-- Suggestions for masked numbers look profiles up by their last three digits.
create index profiles_e164_suffix_idx on profiles (right(whatsapp_e164, 3));
