create or replace function _momo_allocator_record_fault(p_fault jsonb)
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- Best effort, and never a wait: the one open fault row is shared by every
    -- allocator session, and waiting for it while holding a batch's row locks can
    -- close a deadlock with a session that waits for those rows. When another
    -- session is recording or clearing at this moment, its record stands; the next
    -- batch records (or clears) again.
    if not pg_try_advisory_xact_lock(hashtext('momo_allocator_faults')) then
        return;
    end if;
    if p_fault is null then
        -- This batch ran without a fault of the whole system: the fault is over.
        update public.momo_allocator_faults
        set cleared_at = greatest(now(), last_at)
        where cleared_at is null;
        return;
    end if;
    insert into public.momo_allocator_faults as f (sqlstate, message)
    values (p_fault ->> 'sqlstate', p_fault ->> 'message')
    on conflict ((true)) where cleared_at is null do update
    set sqlstate = excluded.sqlstate,
        message = excluded.message,
        last_at = greatest(now(), f.last_at),
        occurrences = f.occurrences + 1;
end;
$$;

comment on function _momo_allocator_record_fault(jsonb) is
'After each allocation batch: p_fault {"sqlstate","message"} opens (or extends) the one open '
'row of momo_allocator_faults; null closes it (cleared_at). Skipped, never waited for, while '
'another session records or clears (a transaction-level advisory lock).';
