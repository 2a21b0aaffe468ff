create or replace function _momo_allocate_isolating(p_ids bigint[])
returns momo_allocation_summary
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_half integer;
    v_left momo_allocation_summary;
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
        return _momo_summary(
            p_fault => jsonb_build_object('sqlstate', v_sqlstate, 'message', left(v_message, 400))
        );
    end if;

    -- The batch failed because of (some of) its rows: bisect until the poison rows
    -- are alone, so every healthy row is still allocated in this run.
    if cardinality(p_ids) = 1 then
        return _momo_summary(1, jsonb_build_array(_momo_alloc_record_sms_failure(p_ids[1], v_message)));
    end if;

    v_half := cardinality(p_ids) / 2;
    v_left := _momo_allocate_isolating(p_ids[1:v_half]);
    if v_left.fault is not null then
        -- The system failed while bisecting: the other half waits for a later run.
        return v_left;
    end if;
    return _momo_summary_add(v_left, _momo_allocate_isolating(p_ids[v_half + 1:]));
end;
$$;

comment on function _momo_allocate_isolating(bigint[]) is
'Runs the pipeline on a batch in a subtransaction. If it fails for a reason of the whole system '
'(_momo_fault_is_systemic) it returns the fault and leaves every row queued and uncharged; if '
'it fails because of its rows, it splits the batch in halves until each failing row is alone '
'and recorded, so one poison SMS never blocks the others.';
