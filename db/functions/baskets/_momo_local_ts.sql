create or replace function _momo_local_ts(p_text text, p_timezone text)
returns timestamptz
language sql
stable
parallel safe
-- No SET clause and a single expression, so the planner inlines it into the
-- parser's query (a SET clause alone costs more than the work). Only built-ins.
-- The shape is checked by a match without captures (PostgreSQL's regex engine
-- is slow to extract groups), then fields are read at fixed positions. Arms
-- run in order, so a garbage date yields null, never a cast error.
return case
    when not coalesce(
        p_text ~ (
            '^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])'
            || '[ T](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?$'
        ),
        false
    ) then null
    when substr(p_text, 1, 4)::integer < 1900 then null
    -- Past the last day of its month (February 29th only in leap years).
    when substr(p_text, 9, 2)::integer > (
        case
            when substr(p_text, 6, 2) in ('04', '06', '09', '11') then 30
            when substr(p_text, 6, 2) <> '02' then 31
            when substr(p_text, 1, 4)::integer % 400 = 0 then 29
            when substr(p_text, 1, 4)::integer % 100 = 0 then 28
            when substr(p_text, 1, 4)::integer % 4 = 0 then 29
            else 28
        end
    ) then null
    else make_timestamp(
        substr(p_text, 1, 4)::integer,
        substr(p_text, 6, 2)::integer,
        substr(p_text, 9, 2)::integer,
        substr(p_text, 12, 2)::integer,
        substr(p_text, 15, 2)::integer,
        coalesce(nullif(substr(p_text, 18, 2), ''), '0')::double precision
    ) at time zone p_timezone
end;

comment on function _momo_local_ts(text, text) is
'An SMS time (YYYY-MM-DD HH:MM[:SS], local, no zone) as an instant in the given zone; null when '
'it is not a real date-time.';
