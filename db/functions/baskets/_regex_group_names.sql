-- Named groups are written (?<name>...) but PostgreSQL regular expressions
-- have none: these immutable helpers derive the positional pattern and the
-- group names, as generated columns of momo_sms_formats, so every format is
-- compiled the same way. First defined in V0011 (the table's generated columns
-- need them while that migration runs); this file is the current definition.

create or replace function _regex_group_names(p_pattern text)
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

create or replace function _regex_strip_group_names(p_pattern text)
returns text
language sql
immutable
strict
parallel safe
return regexp_replace(p_pattern, '\(\?<[a-z_]+>', '(', 'g');

comment on function _regex_strip_group_names(text) is
'The pattern with (?<name> turned into a plain capturing group.';
