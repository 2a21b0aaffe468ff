create or replace function _momo_alloc_store()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- Genuine SMS claim their transaction id.
    perform _momo_alloc_store_parses(true);

    -- A genuine SMS whose txn id is already claimed: the whole payment the same
    -- (amount, kind, time, the balance stated and, for money in, the payer) is the
    -- payment notified again, a duplicate; anything else is a conflict, named with
    -- where the money went.
    with claimed_before as (
        select
            w.inbox_id,
            c.id,
            c.inbox_id as claimed_inbox_id,
            coalesce(
                c.amount = w.amount and c.kind = w.kind
                and (
                    c.txn_ts = w.txn_ts or not w.txn_ts_from_sms
                    or c.parsed_json ->> 'txn_ts_source' is distinct from 'sms'
                )
                and (c.balance is null or w.balance is null or c.balance = w.balance)
                and (
                    w.direction is distinct from 'in'
                    or (
                        c.sender_name is not distinct from w.sender_name
                        and c.msisdn_e164 is not distinct from w.msisdn_e164
                        and c.msisdn_suffix is not distinct from w.msisdn_suffix
                    )
                ),
                false
            ) as same_movement,
            (
                select l.id
                from contributions_ledger as l
                where l.parsed_id = c.id and l.source = 'sms'
                order by l.id
                limit 1
            ) as ledger_id
        from momo_alloc_work as w
        inner join momo_parsed_txns as c on w.txn_id = c.txn_id
        where w.parsed_id is null and w.genuine
    )

    update momo_alloc_work as w
    set
        duplicate_of = case when c.same_movement then c.id end,
        conflicts_with = case when not c.same_movement then c.id end,
        member_id = null,
        ikimina_id = null,
        matched_by = null,
        outcome = case when c.same_movement then 'duplicate' else 'unmatched' end,
        reason = case when c.same_movement then 'duplicate_txn' else 'txn_id_conflict' end,
        detail = case
            when c.same_movement then format(
                'transaction %s was already parsed (momo_parsed_txns.id %s)', w.txn_id, c.id
            )
            else format(
                'transaction %s is claimed by SMS %s (momo_parsed_txns.id %s) with another amount, '
                'kind, time, payer or balance: %s. One of the two is not the operator''s: compare '
                'both with the phone''s MoMo statement',
                w.txn_id, c.claimed_inbox_id, c.id,
                case
                    when c.ledger_id is not null
                        then format('the money is in ledger entry %s', c.ledger_id)
                    else 'that SMS was not credited'
                end
            )
        end
    from claimed_before as c
    where w.inbox_id = c.inbox_id;

    -- The rest: duplicates, conflicts, and the SMS that are not genuine.
    perform _momo_alloc_store_parses(false);
end;
$$;

comment on function _momo_alloc_store() is
'Allocation stage, store the parses: genuine SMS claim their txn id in momo_parsed_txns; a genuine '
'SMS whose txn id was claimed before becomes a duplicate (same amount, kind, time, balance and, '
'for money in, payer) or a txn_id_conflict case naming the ledger entry that holds the money (in '
'momo_alloc_work); then the rest are stored without a txn id.';
