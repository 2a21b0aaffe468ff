create or replace function momo_sms_ingest_batch(p_deliveries momo_sms_delivery[])
returns table (ord integer, inbox_id bigint, duplicate boolean)
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_count integer := coalesce(cardinality(p_deliveries), 0);
    v_ords integer[];
    v_ids bigint[];
    v_repeat_ords integer[] := '{}'::integer[];
    v_repeat_ids bigint[] := '{}'::bigint[];
begin
    perform _momo_sms_ingest_validate(p_deliveries);

    if not exists (select from unnest(p_deliveries) as d where d.gateway_message_id is not null) then
        -- No gateway message id (the spec route, android-income): the content hash is the
        -- only key, one statement. Only the first of each hash in the batch is inserted,
        -- carrying the later repeats in its duplicate_count. Rows are inserted in hash
        -- order, so two batches racing on the same SMS wait for each other in the same
        -- order and cannot deadlock.
        return query
        with input as (
            select n.* from _momo_sms_ingest_rows(p_deliveries) as n
        ),

        firsts as (
            select distinct on (n.hash)
                n.*,
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
                f.hash, f.raw_text, f.msisdn_raw, f.received_at, f.ingest_source, f.metadata,
                f.receiving_account, f.gateway, f.repeats, case when f.repeats > 0 then now() end
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
        select n.* from _momo_sms_ingest_rows(p_deliveries) as n
    ),

    stored as (
        insert into momo_sms_inbox as i (
            hash, raw_text, msisdn_raw, received_at, ingest_source, metadata,
            receiving_account, gateway, gateway_message_id
        )
        select
            n.hash, n.raw_text, n.msisdn_raw, n.received_at, n.ingest_source, n.metadata,
            n.receiving_account, n.gateway, n.gateway_message_id
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
        where n.hash = s.hash and n.gateway_message_id is not distinct from s.gateway_message_id
    ) as n;

    if cardinality(v_ords) < v_count then
        -- The others repeat a stored SMS: by id first, else by content. Count them on it.
        with repeats as (
            select
                n.ord,
                coalesce(
                    (
                        select i.id from momo_sms_inbox as i
                        where i.gateway = n.gateway and i.gateway_message_id = n.gateway_message_id
                    ),
                    (select i.id from momo_sms_inbox as i where i.hash = n.hash)
                ) as id
            from _momo_sms_ingest_rows(p_deliveries) as n
            where not (n.ord = any(v_ords))
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
            perform (p_deliveries[i]).received_at::timestamptz;
        exception when datetime_field_overflow or invalid_datetime_format
            or invalid_time_zone_displacement_value then
            raise exception 'receivedAt is not a valid date-time: %', (p_deliveries[i]).received_at
                || case when v_count > 1 then format(' (delivery %s of %s)', i, v_count) else '' end
                using errcode = 'MM400', column = 'receivedAt';
        end;
    end loop;
    raise;
end;
$$;

comment on function momo_sms_ingest_batch(momo_sms_delivery[]) is
'Stores several SMS deliveries in one transaction (group commit for the HTTP ingest). Delivery i '
'of the array is answered as ord = i with its inbox id and whether it repeated an SMS already '
'stored, also earlier in the same batch: by its hash (_momo_sms_hash: sha256 of '
'message|msisdn|receivedAt), or by the gateway''s own message id (gateway + gateway message id). '
'All or nothing: one invalid delivery raises MM400 naming it (_momo_sms_ingest_validate), and '
'nothing of the call is stored.';
