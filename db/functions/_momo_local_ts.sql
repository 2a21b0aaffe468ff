create or replace function _momo_local_ts(p_text text, p_timezone text)
returns timestamptz
language sql
stable
parallel safe
set search_path = pg_catalog, pg_temp
as $$
    -- Validates every field first: a garbage date must yield null, not an error.
    select case
        when m is not null
            and m[1]::integer >= 1900
            and m[2]::integer between 1 and 12
            and m[3]::integer between 1 and extract(
                day from make_date(m[1]::integer, m[2]::integer, 1) + interval '1 month - 1 day'
            )
            and m[4]::integer < 24 and m[5]::integer < 60 and coalesce(m[6], '0')::integer < 60
            then make_timestamp(
                m[1]::integer, m[2]::integer, m[3]::integer,
                m[4]::integer, m[5]::integer, coalesce(m[6], '0')::double precision
            ) at time zone p_timezone
    end
    from (
        select regexp_match(
            p_text, '^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$'
        ) as m
    ) as s;
$$;

comment on function _momo_local_ts(text, text) is
'An SMS time (YYYY-MM-DD HH:MM[:SS], local, no zone) as an instant in the given zone; null when '
'it is not a real date-time.';
