create or replace function _momo_alloc_parse(p_ids bigint[])
returns integer
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_timezone text := _setting('MOMO_TIMEZONE');
    v_country text := _setting('MOMO_DEFAULT_COUNTRY_CODE');
    v_require_sender boolean := _setting('MOMO_ALLOCATOR_REQUIRE_SENDER')::boolean;
    v_ids bigint [];
    v_texts text [];
    v_received timestamptz [];
    v_senders text [];
    v_accounts text [];
begin
    -- The claimed rows not processed meanwhile (by a requeue's run, say).
    select
        array_agg(i.id order by i.id), array_agg(i.raw_text order by i.id),
        array_agg(i.received_at order by i.id), array_agg(btrim(i.msisdn_raw) order by i.id),
        array_agg(coalesce(i.receiving_account, i.ingest_source) order by i.id)
    into v_ids, v_texts, v_received, v_senders, v_accounts
    from momo_sms_inbox as i
    where i.id = any(p_ids) and i.processed_at is null;

    if v_ids is null then
        return 0;
    end if;

    -- The whole batch parsed in one pass. Only the operator's SMS are genuine: the
    -- gateway sender must be one of momo_provider_senders for the provider of the
    -- format that matched. (Columns in momo_alloc_work's order: inbox_id, sender,
    -- account, the parse, genuine.)
    insert into momo_alloc_work
    select
        v_ids[p.ord], g.sender, g.account, (p.parse).*,
        (p.parse).format is not null and (
            case
                when nullif(g.sender, '') is null then not v_require_sender
                else exists (
                    select
                    from momo_provider_senders as s
                    where s.provider = (p.parse).provider and lower(s.sender) = lower(g.sender)
                )
            end
        )
    from _momo_parse_batch(v_texts, v_received, v_timezone, v_country) as p
    -- (a text array's element is found by walking the array: join, do not subscript)
    inner join unnest(v_senders, v_accounts) with ordinality as g (sender, account, ord)
        on p.ord = g.ord;

    if cardinality(v_ids) > 200 then
        analyze momo_alloc_work;
    end if;
    return cardinality(v_ids);
end;
$$;

comment on function _momo_alloc_parse(bigint[]) is
'Allocation stage, parse and verify the sender: reads the inbox rows of p_ids not yet processed, '
'parses them in one pass (_momo_parse_batch) into momo_alloc_work and marks genuine those whose '
'gateway sender is an operator sender of the provider that matched (momo_provider_senders). '
'Returns how many rows it took (0: nothing to allocate).';
