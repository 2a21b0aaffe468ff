create or replace function _momo_alloc_close_inbox()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- With the outcome decided so far: the rows without one are about to be posted.
    -- Duplicates, conflicts and holds found in the later steps are corrected in place.
    update momo_sms_inbox as i
    set
        processed_at = now(),
        attempts = i.attempts + 1,
        outcome = coalesce(w.outcome, 'allocated'),
        last_error = w.reason,
        next_attempt_at = null
    from momo_alloc_work as w
    where i.id = w.inbox_id;
end;
$$;

comment on function _momo_alloc_close_inbox() is
'Allocation stage, close the inbox rows: marks the batch''s inbox rows processed (one attempt '
'more) with the outcome momo_alloc_work has so far, allocated for those without one; later stages '
'correct duplicates, conflicts, holds and late duplicates in place.';
