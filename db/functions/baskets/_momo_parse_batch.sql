create or replace function _momo_parse_batch(
    p_texts text[],
    p_received_at timestamptz[],
    p_timezone text,
    p_country_code text
)
returns table (ord integer, parse momo_parse_row)
language sql
stable
parallel safe
set search_path = pg_catalog, public, pg_temp
as $$
    with input as (
        select t.ord::integer as ord, t.raw_text, t.received_at
        from unnest(p_texts, p_received_at) with ordinality as t (raw_text, received_at, ord)
    ),

    -- Enabled formats in the order they are tried.
    formats as (
        select
            array_agg(f.id order by f.priority, f.id) as ids,
            array_agg(f.keyword order by f.priority, f.id) as keywords,
            array_agg(f.compiled_pattern order by f.priority, f.id) as patterns
        from momo_sms_formats as f
        where f.enabled
    ),

    -- Per format, the parts that identify a payment (balance and fee are the
    -- chain's; a part named in two alternatives counts once).
    format_parts as (
        select f.id, count(distinct n.part) as expected
        from momo_sms_formats as f
        cross join lateral unnest(f.field_names) as n (part)
        where f.enabled and n.part not in ('balance', 'fee')
        group by f.id
    ),

    -- The first format (by priority) whose keyword occurs and pattern matches:
    -- one pass of the matcher over the whole batch (_regex_first_match: Perl or PostgreSQL).
    matched as (
        select
            h.ord,
            f.name,
            f.provider,
            f.kind,
            f.direction,
            f.allocatable,
            f.field_names,
            fp.expected,
            h.groups
        from formats as fs
        cross join lateral _regex_first_match(p_texts, fs.keywords, fs.patterns) as h
        inner join momo_sms_formats as f on fs.ids[h.pattern_no] = f.id
        inner join format_parts as fp on f.id = fp.id
    ),

    -- Confidence counts the parts found that identify the payment (of the
    -- alternatives of a pattern only one matches, so each part counts once).
    found as (
        select
            m.ord,
            m.name,
            m.provider,
            m.kind,
            m.direction,
            m.allocatable,
            m.expected,
            x.fields,
            x.n_fields
        from matched as m
        cross join lateral (
            select
                jsonb_object_agg(u.field, btrim(u.value)) as fields,
                count(*) filter (where u.field not in ('balance', 'fee')) as n_fields
            from unnest(m.field_names, m.groups) as u (field, value)
            where u.value is not null
        ) as x
    ),

    -- Materialized so that the guesses below only run on these rows.
    unknown as materialized (
        select i.ord, i.raw_text
        from input as i
        where not exists (select from matched as m where m.ord = i.ord)
    ),

    -- No known format: pick what can be recognised, for the person who looks at it.
    -- (Materialized, like extracted: a CTE inlined into its readers would have its
    -- expressions evaluated once per reference.)
    guessed as materialized (
        select
            i.ord,
            jsonb_strip_nulls(jsonb_build_object(
                'amount', (
                    select x[2]
                    from regexp_matches(
                        i.raw_text,
                        '(balance[^0-9]{0,6})?([0-9][0-9,]*(?:\.[0-9]+)?) ?(?:RWF|FRW)', 'gi'
                    ) as x
                    where x[1] is null
                    limit 1
                ),
                'currency', case when i.raw_text ~* '(RWF|FRW)' then 'RWF' end,
                'txn_id', (
                    regexp_match(i.raw_text, '(?:TxnID|TxId|Transaction Id)[: ]*([A-Za-z0-9]+)', 'i')
                )[1],
                'ts', (regexp_match(i.raw_text, '\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?'))[1]
            )) as fields
        from unknown as i
    ),

    extracted as materialized (
        select
            i.ord,
            i.received_at,
            f.name as format,
            f.provider,
            f.kind,
            f.direction,
            f.allocatable,
            f.expected,
            f.n_fields,
            coalesce(f.fields, g.fields, '{}'::jsonb) as fields,
            _momo_amount(coalesce(f.fields, g.fields) ->> 'amount') as amount,
            _momo_local_ts(coalesce(f.fields, g.fields) ->> 'ts', p_timezone) as sms_ts
        from input as i
        left join found as f on i.ord = f.ord
        left join guessed as g on i.ord = g.ord
    )

    select e.ord, p::momo_parse_row as parse
    from extracted as e
    cross join lateral (
        select
            e.direction,
            coalesce(e.kind, 'unknown') as kind,
            e.format,
            e.provider,
            coalesce(e.allocatable, false) as allocatable,
            e.amount,
            upper(e.fields ->> 'currency') as currency,
            nullif(e.fields ->> 'txn_id', '') as txn_id,
            coalesce(e.sms_ts, e.received_at) as txn_ts,
            e.sms_ts is not null as txn_ts_from_sms,
            nullif(e.fields ->> 'name', '') as sender_name,
            _msisdn_e164(e.fields ->> 'msisdn', p_country_code) as msisdn_e164,
            case
                when e.fields ->> 'msisdn' like '%*%'
                    then substring(e.fields ->> 'msisdn' from '([0-9]{1,6})$')
            end as msisdn_suffix,
            nullif(e.fields ->> 'note', '') as sender_note,
            -- Unlike a payment, a balance or a fee may be zero.
            case when e.format is not null then coalesce(
                _momo_amount(e.fields ->> 'balance'),
                case when e.fields ->> 'balance' ~ '^0+(\.0{1,2})?$' then 0 end
            ) end as balance,
            case when e.format is not null then coalesce(
                _momo_amount(e.fields ->> 'fee'),
                case when e.fields ->> 'fee' ~ '^0+(\.0{1,2})?$' then 0 end
            ) end as fee,
            case
                -- A known format: the share of its parts found, less what did not read right.
                when e.format is not null then round(greatest(0,
                    least(e.n_fields, e.expected)::numeric / e.expected
                    - case when e.amount is null then 0.5 else 0 end
                    - case when e.fields ? 'ts' and e.sms_ts is null then 0.3 else 0 end
                ), 2)
                -- No known format: a tenth per recognisable part, never enough to allocate.
                else 0.1 * (
                    (e.amount is not null)::integer
                    + (e.fields ? 'txn_id')::integer
                    + (e.sms_ts is not null)::integer
                )
            end as confidence
    ) as p;
$$;

comment on function _momo_parse_batch(text[], timestamptz[], text, text) is
'Parses many SMS at once against momo_sms_formats (set-based, one pass): one row per input, '
'ord = position in p_texts, parse = what it reads (momo_parse_row). Used by the allocator '
'(_momo_alloc_parse) and momo_parse_sms().';
