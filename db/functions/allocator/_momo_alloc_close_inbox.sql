create or replace function _momo_alloc_close_inbox()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- Once, after the ledger, every outcome decided: the batch's rows are
    -- processed (one attempt more); the credits held by earlier runs and
    -- released in this one (released_hold) were processed then and only get
    -- their outcome. The batch's inbox rows are this transaction's since the
    -- claim (for update), so this write waits on no other session.
    update momo_sms_inbox as i
    set
        processed_at = case when w.released_hold then i.processed_at else now() end,
        attempts = i.attempts + case when w.released_hold then 0 else 1 end,
        outcome = w.outcome,
        last_error = w.reason,
        next_attempt_at = case when w.released_hold then i.next_attempt_at end
    from momo_alloc_work as w
    where i.id = w.inbox_id;
end;
$$;

comment on function _momo_alloc_close_inbox() is
'Allocation stage, last: writes each inbox row''s outcome and reason from momo_alloc_work, once. '
'The batch''s rows are marked processed with one attempt more; credits held by earlier runs and '
'released in this one (released_hold) only get their outcome.';
