create or replace function momo_sms_ingest_batch(
    p_messages text[],
    p_msisdns text[],
    p_received_ats text[],
    p_ingest_sources text[],
    p_metadata jsonb[]
)
returns table (ord integer, inbox_id bigint, duplicate boolean)
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_count integer := coalesce(cardinality(p_messages), 0);
    v_which text := '';
    v_source text;
begin
    if coalesce(cardinality(p_msisdns), 0) <> v_count
        or coalesce(cardinality(p_received_ats), 0) <> v_count
        or coalesce(cardinality(p_ingest_sources), 0) <> v_count
        or coalesce(cardinality(p_metadata), 0) <> v_count then
        raise exception 'momo_sms_ingest_batch: the five arrays must have the same length (% messages)',
            v_count
            using errcode = 'MM400';
    end if;

    for i in 1 .. v_count loop
        if v_count > 1 then
            v_which := format(' (delivery %s of %s)', i, v_count);
        end if;
        if p_messages[i] is null or p_messages[i] ~ '^[[:space:]]*$' then
            raise exception 'message is required and must not be empty%', v_which
                using errcode = 'MM400', column = 'message';
        end if;
        if length(p_messages[i]) > 2000 then
            raise exception 'message is % characters; at most 2000 are accepted%',
                length(p_messages[i]), v_which
                using errcode = 'MM400', column = 'message';
        end if;
        if length(p_msisdns[i]) > 64 then
            raise exception 'msisdn is longer than 64 characters%', v_which
                using errcode = 'MM400', column = 'msisdn';
        end if;
        if p_received_ats[i] !~
            '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
            raise exception 'receivedAt must be an ISO-8601 date-time with a zone, e.g. 2025-01-18T14:20:00Z%',
                v_which
                using errcode = 'MM400', column = 'receivedAt';
        end if;
        v_source := coalesce(p_ingest_sources[i], 'gateway');
        if v_source ~ '^[[:space:]]*$' or length(v_source) > 64 then
            raise exception 'ingestSource must be 1 to 64 characters%', v_which
                using errcode = 'MM400', column = 'ingestSource';
        end if;
    end loop;

    -- One statement for the batch. A repeat of an earlier element of the same
    -- batch is a duplicate of it: only the first of each hash is inserted,
    -- carrying the later repeats in its duplicate_count. Rows are inserted in
    -- hash order, so two batches racing on the same SMS wait for each other in
    -- the same order and cannot deadlock.
    return query
    with input as (
        select
            u.ord::integer as ord,
            u.message,
            u.msisdn,
            u.received_at,
            coalesce(u.ingest_source, 'gateway') as ingest_source,
            u.metadata,
            encode(sha256(convert_to(
                u.message || '|' || coalesce(u.msisdn, '') || '|' || coalesce(u.received_at, ''),
                'UTF8'
            )), 'hex') as hash
        from unnest(p_messages, p_msisdns, p_received_ats, p_ingest_sources, p_metadata)
            with ordinality as u (message, msisdn, received_at, ingest_source, metadata, ord)
    ),

    firsts as (
        select distinct on (n.hash)
            n.hash,
            n.ord,
            n.message,
            n.msisdn,
            n.received_at,
            n.ingest_source,
            n.metadata,
            count(*) over (partition by n.hash) - 1 as repeats
        from input as n
        order by n.hash, n.ord
    ),

    stored as (
        insert into momo_sms_inbox as i (
            hash, raw_text, msisdn_raw, received_at, ingest_source, metadata,
            duplicate_count, last_duplicate_at
        )
        select
            f.hash,
            f.message,
            f.msisdn,
            coalesce(f.received_at::timestamptz, now()),
            f.ingest_source,
            f.metadata,
            f.repeats,
            case when f.repeats > 0 then now() end
        from firsts as f
        order by f.hash
        on conflict (hash) do update
            set duplicate_count = i.duplicate_count + excluded.duplicate_count + 1,
                last_duplicate_at = now()
        returning i.hash, i.id, i.xmax <> 0 as conflicted
    )

    select n.ord, s.id, s.conflicted or n.ord <> f.ord
    from input as n
    inner join stored as s on n.hash = s.hash
    inner join firsts as f on n.hash = f.hash
    order by n.ord;
exception when datetime_field_overflow or invalid_datetime_format
    or invalid_time_zone_displacement_value then
    -- Only on failure: find which receivedAt does not exist (e.g. 2025-02-30).
    for i in 1 .. v_count loop
        begin
            perform p_received_ats[i]::timestamptz;
        exception when datetime_field_overflow or invalid_datetime_format
            or invalid_time_zone_displacement_value then
            raise exception 'receivedAt is not a valid date-time: %', p_received_ats[i]
                || case when v_count > 1 then format(' (delivery %s of %s)', i, v_count) else '' end
                using errcode = 'MM400', column = 'receivedAt';
        end;
    end loop;
    raise;
end;
$$;

comment on function momo_sms_ingest_batch(text[], text[], text[], text[], jsonb[]) is
'Stores several SMS deliveries in one transaction (group commit for the HTTP ingest). Element i '
'of each array is one delivery, answered as ord = i with its inbox id and whether it repeated an '
'SMS already stored (by sha256 of message|msisdn|receivedAt), also earlier in the same batch. '
'All or nothing: one invalid delivery raises MM400 naming it, and nothing of the call is stored.';
