create or replace function _require_argument(
    p_ok boolean,
    p_message text,
    p_column text,
    p_hint text default null
)
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- p_ok null counts as not ok: a missing argument is a missing argument.
    if p_ok then
        return;
    elsif p_hint is null then
        raise exception '%', p_message using errcode = 'MM400', column = p_column;
    end if;
    raise exception '%', p_message using errcode = 'MM400', column = p_column, hint = p_hint;
end;
$$;

comment on function _require_argument(boolean, text, text, text) is
'DBA functions: raise MM400 with p_message, naming the argument p_column (and p_hint when given), '
'unless p_ok is true. One way for every correction function to refuse a missing or empty argument.';
