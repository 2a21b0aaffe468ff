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
    v_sqlstate text;
begin
    begin
        return _momo_allocate_rows(p_ids);
    exception
        -- Not part of "others": a statement timeout or a cancel arrive here.
        when query_canceled then
            get stacked diagnostics v_message = message_text, v_sqlstate = returned_sqlstate;
        when others then
            get stacked diagnostics v_message = message_text, v_sqlstate = returned_sqlstate;
    end;

    -- A fault of the whole system would fail every half alike: stop here, leave the
    -- rows queued and uncharged, and let the caller record the fault.
    if _momo_fault_is_systemic(v_sqlstate) then
        return jsonb_build_object('processed', 0, 'allocated', 0, 'unmatched', 0,
            'duplicates', 0, 'skipped', 0, 'held', 0, 'errors', '[]'::jsonb,
            'fault', jsonb_build_object('sqlstate', v_sqlstate, 'message', left(v_message, 400)));
    end if;

    -- The batch failed because of (some of) its rows: bisect until the poison rows
    -- are alone, so every healthy row is still allocated in this run.
    if cardinality(p_ids) = 1 then
        return jsonb_build_object('processed', 1, 'allocated', 0, 'unmatched', 0,
            'duplicates', 0, 'skipped', 0, 'held', 0,
            'errors', jsonb_build_array(_momo_record_failure(p_ids[1], v_message)));
    end if;

    v_half := cardinality(p_ids) / 2;
    v_left := _momo_allocate_isolating(p_ids[1:v_half]);
    if v_left ? 'fault' then
        -- The system failed while bisecting: the other half waits for a later run.
        return v_left;
    end if;
    v_right := _momo_allocate_isolating(p_ids[v_half + 1:]);
    return jsonb_build_object(
        'processed', (v_left ->> 'processed')::integer + (v_right ->> 'processed')::integer,
        'allocated', (v_left ->> 'allocated')::integer + (v_right ->> 'allocated')::integer,
        'unmatched', (v_left ->> 'unmatched')::integer + (v_right ->> 'unmatched')::integer,
        'duplicates', (v_left ->> 'duplicates')::integer + (v_right ->> 'duplicates')::integer,
        'skipped', (v_left ->> 'skipped')::integer + (v_right ->> 'skipped')::integer,
        'held', (v_left ->> 'held')::integer + (v_right ->> 'held')::integer,
        'errors', (v_left -> 'errors') || (v_right -> 'errors')
    ) || case when v_right ? 'fault' then jsonb_build_object('fault', v_right -> 'fault') else '{}' end;
end;
$$;

comment on function _momo_allocate_isolating(bigint[]) is
'Runs the pipeline on a batch in a subtransaction. If it fails for a reason of the whole system '
'(_momo_fault_is_systemic) it returns the fault and leaves every row queued and uncharged; if '
'it fails because of its rows, it splits the batch in halves until each failing row is alone '
'and recorded, so one poison SMS never blocks the others.';
