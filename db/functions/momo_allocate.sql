create or replace function momo_allocate(p_limit integer default null)
returns jsonb
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_limit integer := coalesce(p_limit, _setting('MOMO_ALLOCATOR_BATCH_SIZE')::integer);
    v_ids bigint [];
    v_summary jsonb;
begin
    if v_limit < 1 or v_limit > 100000 then
        raise exception 'limit must be between 1 and 100000, got %', v_limit
            using errcode = 'MM400', column = 'limit';
    end if;

    -- Claim: oldest first, skipping rows another allocator holds or that wait for a retry.
    select array_agg(q.id order by q.id) into v_ids
    from (
        select i.id
        from momo_sms_inbox as i
        where i.processed_at is null and (i.next_attempt_at is null or i.next_attempt_at <= now())
        order by i.id
        limit v_limit
        for update skip locked
    ) as q;

    if v_ids is null then
        v_summary := jsonb_build_object('processed', 0, 'allocated', 0, 'unmatched', 0,
            'duplicates', 0, 'skipped', 0, 'held', 0, 'errors', '[]'::jsonb);
    else
        v_summary := _momo_allocate_isolating(v_ids);
    end if;
    -- Credits held for their balance chain: post those that link now, open cases
    -- for those that waited too long.
    perform _momo_balance_release();
    return v_summary;
end;
$$;

comment on function momo_allocate(integer) is
'Allocates up to p_limit unprocessed SMS (default MOMO_ALLOCATOR_BATCH_SIZE), oldest first, in '
'the caller''s transaction: each is allocated, duplicate, skipped or an unmatched case exactly '
'once, or held until its balance links; then re-examines the held credits. Returns '
'{"processed","allocated","unmatched","duplicates","skipped","held","errors"}.';
