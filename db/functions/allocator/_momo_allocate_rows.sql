create or replace function _momo_allocate_rows(p_ids bigint[])
returns momo_allocation_summary
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- The steps pass the batch on in the temp table momo_alloc_work, set-based:
    -- each statement handles the whole batch, no step runs once per SMS.
    perform _momo_alloc_work_open();
    if _momo_alloc_parse(p_ids) = 0 then
        return _momo_summary();
    end if;
    perform _momo_alloc_screen();
    perform _momo_alloc_resolve();
    perform _momo_alloc_close_inbox();

    -- From here on a statement may meet a txn id that a parallel allocator has stored
    -- but not committed, and then waits for that commit: the work after this point is
    -- kept as short as it can be, so that such waits are short.
    perform _momo_alloc_store();
    perform _momo_alloc_balance_check();
    perform _momo_alloc_cases();
    -- Post to the ledger, last (the cycle totals follow in its trigger).
    perform _momo_alloc_post_ledger(_setting('MOMO_TIMEZONE'));
    perform _momo_alloc_holds_close();

    return _momo_summary_of_work();
end;
$$;

comment on function _momo_allocate_rows(bigint[]) is
'The allocation pipeline for a set of claimed inbox rows, set-based, one function per step: parse '
'and verify the sender (_momo_alloc_parse), decide what cannot be credited (_momo_alloc_screen), '
'resolve the member (_momo_alloc_resolve), close the inbox rows (_momo_alloc_close_inbox), store '
'the parses, genuine SMS claiming their txn id (_momo_alloc_store), check the balance chain '
'(_momo_alloc_balance_check), open cases (_momo_alloc_cases) and post to the ledger last '
'(_momo_alloc_post_ledger). Returns the batch''s summary; raises on unexpected errors.';
