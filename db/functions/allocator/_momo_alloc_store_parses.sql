create or replace function _momo_alloc_store_parses(p_claiming boolean)
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_window interval := _setting('MOMO_BALANCE_TIME_WINDOW')::interval;
begin
    -- p_claiming: the genuine SMS, each claiming its txn id (on conflict: not stored,
    -- parsed_id stays null). Otherwise all the SMS left, with no txn id of their own.
    -- Rows go in txn_id order so parallel allocators take index locks in one order.
    with stored as (
        insert into momo_parsed_txns (
            inbox_id, account, direction, kind, format, msisdn_e164, msisdn_suffix, sender_name,
            sender_note, amount, currency, txn_id, txn_ts, balance, fee, genuine, confidence,
            duplicate_of, sms_time_ok, parsed_json
        )
        select
            w.inbox_id, w.account, w.direction, w.kind, w.format, w.msisdn_e164, w.msisdn_suffix,
            w.sender_name, w.sender_note, w.amount, w.currency,
            case when p_claiming then w.txn_id end, w.txn_ts, w.balance, w.fee, w.genuine,
            w.confidence, w.duplicate_of,
            -- the time written in the SMS against when the phone received it
            case when w.txn_ts_from_sms then (
                select i.received_at between w.txn_ts - v_window and w.txn_ts + v_window
                from momo_sms_inbox as i
                where i.id = w.inbox_id
            ) end,
            jsonb_strip_nulls(jsonb_build_object(
                'txn_id', case when not p_claiming then w.txn_id end,
                'allocatable', w.allocatable,
                'txn_ts_source', case when w.txn_ts_from_sms then 'sms' else 'received_at' end,
                'conflicts_with', w.conflicts_with
            ))
        from momo_alloc_work as w
        where w.parsed_id is null and (w.genuine or not p_claiming)
        order by w.txn_id, w.inbox_id
        on conflict (txn_id) do nothing
        returning id, inbox_id
    )

    -- The work row keeps the parse it is posted or cased with: its own claim, or the
    -- parse of its duplicate or conflict (an SMS that is not genuine keeps none).
    update momo_alloc_work as w set parsed_id = s.id
    from stored as s
    where
        w.inbox_id = s.inbox_id
        and (p_claiming or w.duplicate_of is not null or w.conflicts_with is not null);
end;
$$;

comment on function _momo_alloc_store_parses(boolean) is
'Inserts the parses of momo_alloc_work rows into momo_parsed_txns, the one place that writes them: '
'with p_claiming the genuine SMS, each claiming its txn id (unless another SMS holds it), else the '
'rest without a txn id of their own (duplicate_of, conflicts_with in parsed_json).';
