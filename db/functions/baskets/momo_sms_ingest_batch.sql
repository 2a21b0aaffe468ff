create or replace function momo_sms_ingest_batch(
    p_messages text[],
    p_msisdns text[],
    p_received_ats text[],
    p_ingest_sources text[],
    p_metadata jsonb[],
    p_receiving_accounts text[] default null,
    p_gateways text[] default null,
    p_gateway_message_ids text[] default null
)
returns table (ord integer, inbox_id bigint, duplicate boolean)
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_count integer := coalesce(cardinality(p_messages), 0);
    v_accounts text[] := coalesce(p_receiving_accounts, array_fill(null::text, array[v_count]));
    v_gateways text[] := coalesce(p_gateways, array_fill(null::text, array[v_count]));
    v_message_ids text[] := coalesce(p_gateway_message_ids, array_fill(null::text, array[v_count]));
    v_which text := '';
    v_source text;
    v_has_ids boolean := false;
    v_ords integer[];
    v_ids bigint[];
    v_repeat_ords integer[] := '{}'::integer[];
    v_repeat_ids bigint[] := '{}'::bigint[];
begin
    if coalesce(cardinality(p_msisdns), 0) <> v_count
        or coalesce(cardinality(p_received_ats), 0) <> v_count
        or coalesce(cardinality(p_ingest_sources), 0) <> v_count
        or coalesce(cardinality(p_metadata), 0) <> v_count
        or coalesce(cardinality(v_accounts), 0) <> v_count
        or coalesce(cardinality(v_gateways), 0) <> v_count
        or coalesce(cardinality(v_message_ids), 0) <> v_count then
        raise exception 'momo_sms_ingest_batch: the arrays must have the same length (% messages)',
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
        if v_accounts[i] = '' or length(v_accounts[i]) > 128 then
            raise exception 'receivingAccount must be 1 to 128 characters%', v_which
                using errcode = 'MM400', column = 'receivingAccount';
        end if;
        if v_gateways[i] !~ '^[a-z][a-z0-9-]{0,31}$'
            or (v_message_ids[i] is not null and v_gateways[i] is null) then
            raise exception 'gateway must be a route name (lowercase, 1 to 32 characters) and is '
                'required with a gateway message id%', v_which
                using errcode = 'MM400', column = 'gateway';
        end if;
        if v_message_ids[i] = '' or length(v_message_ids[i]) > 200 then
            raise exception 'the gateway message id must be 1 to 200 characters%', v_which
                using errcode = 'MM400', column = 'gatewayMessageId';
        end if;
        v_has_ids := v_has_ids or v_message_ids[i] is not null;
    end loop;

    if not v_has_ids then
        -- No gateway message id (the spec route, android-income): the content hash is the
        -- only key, one statement. Only the first of each hash in the batch is inserted,
        -- carrying the later repeats in its duplicate_count. Rows are inserted in hash
        -- order, so two batches racing on the same SMS wait for each other in the same
        -- order and cannot deadlock.
        return query
        with input as (
            select
                u.ord::integer as ord,
                u.message,
                u.msisdn,
                u.received_at,
                coalesce(u.ingest_source, 'gateway') as ingest_source,
                u.metadata,
                u.receiving_account,
                u.gateway,
                encode(sha256(convert_to(
                    u.message || '|' || coalesce(u.msisdn, '') || '|' || coalesce(u.received_at, ''),
                    'UTF8'
                )), 'hex') as hash
            from unnest(
                p_messages, p_msisdns, p_received_ats, p_ingest_sources, p_metadata,
                v_accounts, v_gateways
            ) with ordinality as u (
                message, msisdn, received_at, ingest_source, metadata, receiving_account, gateway, ord
            )
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
                n.receiving_account,
                n.gateway,
                count(*) over (partition by n.hash) - 1 as repeats
            from input as n
            order by n.hash, n.ord
        ),

        stored as (
            insert into momo_sms_inbox as i (
                hash, raw_text, msisdn_raw, received_at, ingest_source, metadata,
                receiving_account, gateway, duplicate_count, last_duplicate_at
            )
            select
                f.hash,
                f.message,
                f.msisdn,
                coalesce(f.received_at::timestamptz, now()),
                f.ingest_source,
                f.metadata,
                f.receiving_account,
                f.gateway,
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
        return;
    end if;

    -- With gateway message ids there are two keys: the content hash, and the gateway's
    -- own id (a redelivery may carry a new envelope or time). New SMS, the usual case,
    -- take one statement: the insert skips every delivery that conflicts on either key
    -- (an earlier row, an uncommitted one of another batch once it commits, or an
    -- earlier delivery of this batch). Rows are inserted in hash order, as above.
    with input as (
        select
            u.ord::integer as ord,
            u.message,
            u.msisdn,
            u.received_at,
            coalesce(u.ingest_source, 'gateway') as ingest_source,
            u.metadata,
            u.receiving_account,
            u.gateway,
            u.message_id,
            encode(sha256(convert_to(
                u.message || '|' || coalesce(u.msisdn, '') || '|' || coalesce(u.received_at, ''),
                'UTF8'
            )), 'hex') as hash
        from unnest(
            p_messages, p_msisdns, p_received_ats, p_ingest_sources, p_metadata,
            v_accounts, v_gateways, v_message_ids
        ) with ordinality as u (
            message, msisdn, received_at, ingest_source, metadata,
            receiving_account, gateway, message_id, ord
        )
    ),

    stored as (
        insert into momo_sms_inbox as i (
            hash, raw_text, msisdn_raw, received_at, ingest_source, metadata,
            receiving_account, gateway, gateway_message_id
        )
        select
            n.hash,
            n.message,
            n.msisdn,
            coalesce(n.received_at::timestamptz, now()),
            n.ingest_source,
            n.metadata,
            n.receiving_account,
            n.gateway,
            n.message_id
        from input as n
        order by n.hash, n.ord
        on conflict do nothing
        returning i.id, i.hash, i.gateway_message_id
    )

    select
        coalesce(array_agg(n.ord order by n.ord), '{}'),
        coalesce(array_agg(s.id order by n.ord), '{}')
    into v_ords, v_ids
    from stored as s
    cross join lateral (
        select min(n.ord) as ord
        from input as n
        where n.hash = s.hash and n.message_id is not distinct from s.gateway_message_id
    ) as n;

    if cardinality(v_ords) < v_count then
        -- The others repeat a stored SMS: by id first, else by content. Count them on it.
        with input as (
            select
                u.ord::integer as ord,
                u.gateway,
                u.message_id,
                encode(sha256(convert_to(
                    u.message || '|' || coalesce(u.msisdn, '') || '|' || coalesce(u.received_at, ''),
                    'UTF8'
                )), 'hex') as hash
            from unnest(p_messages, p_msisdns, p_received_ats, v_gateways, v_message_ids)
                with ordinality as u (message, msisdn, received_at, gateway, message_id, ord)
            where not (u.ord::integer = any(v_ords))
        ),

        repeats as (
            select
                n.ord,
                coalesce(
                    (
                        select i.id from momo_sms_inbox as i
                        where i.gateway = n.gateway and i.gateway_message_id = n.message_id
                    ),
                    (select i.id from momo_sms_inbox as i where i.hash = n.hash)
                ) as id
            from input as n
        ),

        bumped as (
            update momo_sms_inbox as i
            set duplicate_count = i.duplicate_count + r.repeats,
                last_duplicate_at = now()
            from (select r.id, count(*) as repeats from repeats as r group by r.id) as r
            where i.id = r.id
        )

        select
            array_agg(r.ord order by r.ord),
            array_agg(r.id order by r.ord)
        into v_repeat_ords, v_repeat_ids
        from repeats as r;

        if array_position(v_repeat_ids, null) is not null then
            -- Cannot happen: what the insert skipped conflicts with a row it now sees.
            raise exception 'an SMS repeating a stored one was not found; the delivery may be retried'
                using errcode = 'MM409';
        end if;
    end if;

    return query
    select a.ord, a.inbox_id, a.duplicate
    from (
        select s.ord, s.inbox_id, false as duplicate
        from unnest(v_ords, v_ids) as s (ord, inbox_id)
        union all
        select r.ord, r.inbox_id, true as duplicate
        from unnest(v_repeat_ords, v_repeat_ids) as r (ord, inbox_id)
    ) as a
    order by a.ord;
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

comment on function momo_sms_ingest_batch(
    text[], text[], text[], text[], jsonb[], text[], text[], text[]
) is
'Stores several SMS deliveries in one transaction (group commit for the HTTP ingest). Element i '
'of each array is one delivery, answered as ord = i with its inbox id and whether it repeated an '
'SMS already stored, also earlier in the same batch: by sha256 of message|msisdn|receivedAt, or '
'by the gateway''s own message id (gateway + gateway message id). The receiving account, gateway '
'and gateway message id arrays are optional (null: none for every delivery). All or nothing: one '
'invalid delivery raises MM400 naming it, and nothing of the call is stored.';
