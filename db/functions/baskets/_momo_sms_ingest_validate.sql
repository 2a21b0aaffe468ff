create or replace function _momo_sms_ingest_validate(p_deliveries momo_sms_delivery[])
returns void
language plpgsql
immutable
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_count integer := coalesce(cardinality(p_deliveries), 0);
    v_which text := '';
    v_d momo_sms_delivery;
begin
    for i in 1 .. v_count loop
        v_d := p_deliveries[i];
        if v_count > 1 then
            v_which := format(' (delivery %s of %s)', i, v_count);
        end if;
        if v_d.message is null or v_d.message ~ '^[[:space:]]*$' then
            raise exception 'message is required and must not be empty%', v_which
                using errcode = 'MM400', column = 'message';
        end if;
        if length(v_d.message) > 2000 then
            raise exception 'message is % characters; at most 2000 are accepted%',
                length(v_d.message), v_which
                using errcode = 'MM400', column = 'message';
        end if;
        if length(v_d.msisdn) > 64 then
            raise exception 'msisdn is longer than 64 characters%', v_which
                using errcode = 'MM400', column = 'msisdn';
        end if;
        if v_d.received_at !~
            '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)$' then
            raise exception 'receivedAt must be an ISO-8601 date-time with a zone, e.g. 2025-01-18T14:20:00Z%',
                v_which
                using errcode = 'MM400', column = 'receivedAt';
        end if;
        if coalesce(v_d.ingest_source, 'gateway') ~ '^[[:space:]]*$'
            or length(v_d.ingest_source) > 64 then
            raise exception 'ingestSource must be 1 to 64 characters%', v_which
                using errcode = 'MM400', column = 'ingestSource';
        end if;
        if v_d.receiving_account = '' or length(v_d.receiving_account) > 128 then
            raise exception 'receivingAccount must be 1 to 128 characters%', v_which
                using errcode = 'MM400', column = 'receivingAccount';
        end if;
        if v_d.gateway !~ '^[a-z][a-z0-9-]{0,31}$'
            or (v_d.gateway_message_id is not null and v_d.gateway is null) then
            raise exception 'gateway must be a route name (lowercase, 1 to 32 characters) and is '
                'required with a gateway message id%', v_which
                using errcode = 'MM400', column = 'gateway';
        end if;
        if v_d.gateway_message_id = '' or length(v_d.gateway_message_id) > 200 then
            raise exception 'the gateway message id must be 1 to 200 characters%', v_which
                using errcode = 'MM400', column = 'gatewayMessageId';
        end if;
    end loop;
end;
$$;

comment on function _momo_sms_ingest_validate(momo_sms_delivery[]) is
'Checks every delivery of an ingest batch before anything is stored: message present and at most '
'2000 characters, msisdn at most 64, receivedAt ISO-8601 with a zone, ingestSource, receiving '
'account, gateway and gateway message id within their limits. Raises MM400 naming the field (and '
'the delivery, in a batch of several); returns nothing when all are valid.';
