create or replace function _momo_alloc_screen()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_min_confidence numeric := _setting('MOMO_ALLOCATOR_MIN_CONFIDENCE')::numeric;
    v_require_txn_id boolean := _setting('MOMO_ALLOCATOR_REQUIRE_TXN_ID')::boolean;
    v_max_amount numeric := _setting('MOMO_ALLOCATOR_MAX_AMOUNT')::numeric;
begin
    -- Only genuine money in from a person, read well enough, may go further.
    update momo_alloc_work as w
    set
        reason = c.reason,
        outcome = case when c.reason like 'skipped\_%' then 'skipped' else 'unmatched' end,
        detail = c.detail
    from (
        select
            x.inbox_id,
            case
                when x.format is null then 'low_confidence'
                when not x.genuine and nullif(x.sender, '') is null then 'sender_unknown'
                when not x.genuine then 'sender_not_operator'
                when x.kind = 'reversal' then 'skipped_reversal'
                when x.direction = 'out' then 'skipped_money_out'
                when x.direction is null then 'skipped_not_money_in'
                when not x.allocatable then 'payer_unknown'
                when x.amount is null then 'amount_unavailable'
                when x.amount > v_max_amount then 'amount_above_limit'
                when x.confidence < v_min_confidence then 'low_confidence'
                when x.txn_id is null and v_require_txn_id then 'txn_id_missing'
            end as reason,
            case
                when x.format is null then 'no known SMS format matched'
                when not x.genuine and nullif(x.sender, '') is null then format(
                    'the gateway gave no sender for this %s SMS and MOMO_ALLOCATOR_REQUIRE_SENDER is on',
                    x.provider
                )
                when not x.genuine then format(
                    'sender %s is not an operator sender of %s (momo_provider_senders): '
                    'a possible fake payment SMS',
                    x.sender, x.provider
                )
                when x.direction is distinct from 'in' or x.kind = 'reversal'
                    then format('%s (%s) is not money in from a person', x.kind, x.format)
                when not x.allocatable then format('%s has no payer to credit', x.kind)
                when x.amount is null then 'the amount could not be read'
                when x.amount > v_max_amount then format(
                    'amount %s is above MOMO_ALLOCATOR_MAX_AMOUNT %s', x.amount, v_max_amount
                )
                when x.confidence < v_min_confidence then format(
                    'confidence %s is below MOMO_ALLOCATOR_MIN_CONFIDENCE %s',
                    x.confidence, v_min_confidence
                )
                else 'the SMS has no transaction id and MOMO_ALLOCATOR_REQUIRE_TXN_ID is on'
            end as detail
        from momo_alloc_work as x
        where x.outcome is null
    ) as c
    where w.inbox_id = c.inbox_id and c.reason is not null;
end;
$$;

comment on function _momo_alloc_screen() is
'Allocation stage, decide what cannot be credited: of the SMS in momo_alloc_work, only genuine '
'money in from a person, read well enough (amount, MOMO_ALLOCATOR_MAX_AMOUNT, '
'MOMO_ALLOCATOR_MIN_CONFIDENCE, MOMO_ALLOCATOR_REQUIRE_TXN_ID) goes further; the others get '
'outcome skipped or unmatched with a reason and detail.';
