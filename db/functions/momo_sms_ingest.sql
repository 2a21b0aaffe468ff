create or replace function momo_sms_ingest(
    p_message text,
    p_msisdn text default null,
    p_received_at text default null,
    p_ingest_source text default null,
    p_metadata jsonb default null
)
returns table (inbox_id bigint, duplicate boolean)
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_source text := coalesce(p_ingest_source, 'gateway');
    v_received_at timestamptz;
begin
    if p_message is null or p_message ~ '^[[:space:]]*$' then
        raise exception 'message is required and must not be empty'
            using errcode = 'MM400', column = 'message';
    end if;
    if length(p_message) > 2000 then
        raise exception 'message is % characters; at most 2000 are accepted', length(p_message)
            using errcode = 'MM400', column = 'message';
    end if;
    if length(p_msisdn) > 64 then
        raise exception 'msisdn is longer than 64 characters'
            using errcode = 'MM400', column = 'msisdn';
    end if;
    if p_received_at is not null and p_received_at !~
        '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
        raise exception 'receivedAt must be an ISO-8601 date-time with a zone, e.g. 2025-01-18T14:20:00Z'
            using errcode = 'MM400', column = 'receivedAt';
    end if;
    if v_source ~ '^[[:space:]]*$' or length(v_source) > 64 then
        raise exception 'ingestSource must be 1 to 64 characters'
            using errcode = 'MM400', column = 'ingestSource';
    end if;

    begin
        v_received_at := coalesce(p_received_at::timestamptz, now());
    exception when datetime_field_overflow or invalid_datetime_format
        or invalid_time_zone_displacement_value then
        raise exception 'receivedAt is not a valid date-time: %', p_received_at
            using errcode = 'MM400', column = 'receivedAt';
    end;

    return query
    insert into momo_sms_inbox as i (
        hash, raw_text, msisdn_raw, received_at, ingest_source, metadata
    )
    values (
        encode(sha256(convert_to(
            p_message || '|' || coalesce(p_msisdn, '') || '|' || coalesce(p_received_at, ''),
            'UTF8'
        )), 'hex'),
        p_message, p_msisdn, v_received_at, v_source, p_metadata
    )
    on conflict (hash) do update
        set duplicate_count = i.duplicate_count + 1,
            last_duplicate_at = now()
    returning i.id, i.xmax <> 0;
end;
$$;

comment on function momo_sms_ingest(text, text, text, text, jsonb) is
'Stores one SMS from the gateway exactly once (dedupe on sha256 of message|msisdn|receivedAt). '
'Returns the inbox id and whether it was a repeated delivery (whose duplicate_count it bumps).';
