create or replace function _require_text(
    p_value text,
    p_message text,
    p_column text,
    p_hint text default null
)
returns text
language plpgsql
immutable
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform public._require_argument(public._has_visible_character(p_value), p_message, p_column, p_hint);
    return p_value;
end;
$$;

comment on function _require_text(text, text, text, text) is
'DBA functions: raise MM400 with p_message naming the argument p_column (and p_hint when given) '
'unless p_value contains a visible character; returns it. The one check of every reason and note.';
