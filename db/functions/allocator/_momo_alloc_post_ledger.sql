create or replace function _momo_alloc_post_ledger(p_timezone text)
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- The rows of momo_alloc_work still without an outcome are credits: post them,
    -- in txn_id order so parallel allocators take index locks in one order. The
    -- ledger's trigger adds to the cycle totals in this transaction.
    with posted as (
        insert into contributions_ledger (
            ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, source, meta,
            inbox_id, parsed_id
        )
        select
            w.ikimina_id, w.member_id, w.amount, w.currency,
            to_char(w.txn_ts at time zone p_timezone, 'YYYYMM')::integer,
            w.txn_id, 'sms',
            jsonb_build_object('inbox_id', w.inbox_id, 'parsed_id', w.parsed_id,
                'format', w.format, 'matched_by', w.matched_by)
            -- MOMO_BALANCE_CHECK = flag: allocated although its balance did not link
            || case when w.balance_verified is false then '{"balance_verified": false}' else '{}' end::jsonb,
            w.inbox_id, w.parsed_id
        from momo_alloc_work as w
        where w.outcome is null
        order by w.txn_id, w.inbox_id
        -- generation 1: a txn id credited before (even if reversed since) is a duplicate
        on conflict (txn_id, txn_generation) do nothing
        returning id, inbox_id
    )

    update momo_alloc_work as w set ledger_id = p.id, outcome = 'allocated'
    from posted as p
    where w.inbox_id = p.inbox_id;

    -- A transaction already in the ledger (a manual entry, say): a duplicate, not allocated.
    update momo_alloc_work
    set
        outcome = 'duplicate',
        reason = 'duplicate_txn_ledger',
        detail = format('transaction %s is already in contributions_ledger', txn_id)
    where outcome is null;
end;
$$;

comment on function _momo_alloc_post_ledger(text) is
'Allocation stage: posts the credits left in momo_alloc_work (outcome still null) to '
'contributions_ledger, exactly once per transaction id; one already in the ledger becomes a duplicate.';
