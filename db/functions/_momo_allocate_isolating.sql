create or replace function _momo_allocate_isolating(p_ids bigint[])
returns jsonb
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_half integer;
    v_left jsonb;
    v_right jsonb;
    v_message text;
begin
    begin
        return _momo_allocate_rows(p_ids);
    exception when others then
        get stacked diagnostics v_message = message_text;
    end;

    -- The batch failed as a whole: bisect until the poison rows are alone, so
    -- every healthy row is still allocated in this run.
    if cardinality(p_ids) = 1 then
        return jsonb_build_object('processed', 1, 'allocated', 0, 'unmatched', 0,
            'duplicates', 0, 'skipped', 0, 'held', 0,
            'errors', jsonb_build_array(_momo_record_failure(p_ids[1], v_message)));
    end if;

    v_half := cardinality(p_ids) / 2;
    v_left := _momo_allocate_isolating(p_ids[1:v_half]);
    v_right := _momo_allocate_isolating(p_ids[v_half + 1:]);
    return jsonb_build_object(
        'processed', (v_left ->> 'processed')::integer + (v_right ->> 'processed')::integer,
        'allocated', (v_left ->> 'allocated')::integer + (v_right ->> 'allocated')::integer,
        'unmatched', (v_left ->> 'unmatched')::integer + (v_right ->> 'unmatched')::integer,
        'duplicates', (v_left ->> 'duplicates')::integer + (v_right ->> 'duplicates')::integer,
        'skipped', (v_left ->> 'skipped')::integer + (v_right ->> 'skipped')::integer,
        'held', (v_left ->> 'held')::integer + (v_right ->> 'held')::integer,
        'errors', (v_left -> 'errors') || (v_right -> 'errors')
    );
end;
$$;

comment on function _momo_allocate_isolating(bigint[]) is
'Runs the pipeline on a batch in a subtransaction; if it fails, splits the batch in halves until '
'each failing row is alone and recorded, so one poison SMS never blocks the others.';
