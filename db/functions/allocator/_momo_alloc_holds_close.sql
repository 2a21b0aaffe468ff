create or replace function _momo_alloc_holds_close()
returns void
language sql
set search_path = pg_catalog, public, pg_temp
as $$
    -- The held credits of momo_alloc_work (released_hold) were just posted or
    -- turned into cases (their inbox rows say so: _momo_alloc_close_inbox): the
    -- holds say how.
    update momo_balance_holds as h
    set
        released_at = now(),
        release = case
            when w.outcome = 'unmatched' then 'unverified'
            when w.outcome = 'duplicate' then 'duplicate'
            when w.balance_verified then 'verified'
            else 'check_off'
        end
    from momo_alloc_work as w
    where w.released_hold and h.inbox_id = w.inbox_id;
$$;

comment on function _momo_alloc_holds_close() is
'Allocation stage: after the ledger stage, closes the balance holds released in this transaction '
'(momo_alloc_work.released_hold) with their release (verified, unverified, duplicate or check_off).';
