create or replace function _momo_allocate_rows(p_ids bigint[])
returns jsonb
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_timezone text := _setting('MOMO_TIMEZONE');
    v_country text := _setting('MOMO_DEFAULT_COUNTRY_CODE');
    v_min_confidence numeric := _setting('MOMO_ALLOCATOR_MIN_CONFIDENCE')::numeric;
    v_require_txn_id boolean := _setting('MOMO_ALLOCATOR_REQUIRE_TXN_ID')::boolean;
    v_ids bigint [];
    v_texts text [];
    v_received timestamptz [];
    v_summary jsonb;
begin
    -- Per-session scratch table for one batch; emptied at every commit.
    if to_regclass('pg_temp.momo_alloc_work') is null then
        create temp table momo_alloc_work (
            inbox_id bigint primary key,
            direction text,
            kind text,
            format text,
            allocatable boolean,
            amount numeric,
            currency text,
            txn_id text,
            txn_ts timestamptz,
            txn_ts_from_sms boolean,
            sender_name text,
            msisdn_e164 text,
            msisdn_suffix text,
            sender_note text,
            confidence numeric,
            parsed_id bigint,
            outcome text,
            reason text,
            detail text,
            member_id uuid,
            ikimina_id uuid,
            group_currency text,
            matched_by text,
            suggested_member_id uuid,
            ledger_id bigint
        ) on commit delete rows;
    else
        delete from momo_alloc_work;
    end if;

    select array_agg(i.id order by i.id), array_agg(i.raw_text order by i.id),
        array_agg(i.received_at order by i.id)
    into v_ids, v_texts, v_received
    from momo_sms_inbox as i
    where i.id = any(p_ids) and i.processed_at is null;

    if v_ids is null then
        return jsonb_build_object('processed', 0, 'allocated', 0, 'unmatched', 0,
            'duplicates', 0, 'skipped', 0, 'errors', '[]'::jsonb);
    end if;

    -- 1. Parse the whole batch in one pass.
    insert into momo_alloc_work (
        inbox_id, direction, kind, format, allocatable, amount, currency, txn_id, txn_ts,
        txn_ts_from_sms, sender_name, msisdn_e164, msisdn_suffix, sender_note, confidence
    )
    select
        v_ids[p.ord], p.direction, p.kind, p.format, p.allocatable, p.amount, p.currency,
        p.txn_id, p.txn_ts, p.txn_ts_from_sms, p.sender_name, p.msisdn_e164, p.msisdn_suffix,
        p.sender_note, p.confidence
    from _momo_parse_batch(v_texts, v_received, v_timezone, v_country) as p;

    if cardinality(v_ids) > 200 then
        analyze momo_alloc_work;
    end if;

    -- 2. Only money in from a person, read well enough, may go further.
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
                when x.kind = 'reversal' then 'skipped_reversal'
                when x.direction = 'out' then 'skipped_money_out'
                when x.direction is null then 'skipped_not_money_in'
                when not x.allocatable then 'payer_unknown'
                when x.amount is null then 'amount_unavailable'
                when x.confidence < v_min_confidence then 'low_confidence'
                when x.txn_id is null and v_require_txn_id then 'txn_id_missing'
            end as reason,
            case
                when x.format is null then 'no known SMS format matched'
                when x.direction is distinct from 'in' or x.kind = 'reversal'
                    then format('%s (%s) is not money in from a person', x.kind, x.format)
                when not x.allocatable then format('%s has no payer to credit', x.kind)
                when x.amount is null then 'the amount could not be read'
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

    -- 3. Resolve the members, all in one pass.
    with pending as (
        select
            array_agg(x.inbox_id order by x.inbox_id) as ids,
            array_agg(x.msisdn_e164 order by x.inbox_id) as msisdns,
            array_agg(x.sender_note order by x.inbox_id) as notes
        from momo_alloc_work as x
        where x.outcome is null
    )

    update momo_alloc_work as w
    set
        member_id = r.member_id,
        ikimina_id = r.ikimina_id,
        group_currency = r.group_currency,
        matched_by = r.matched_by,
        outcome = case when r.member_id is null then 'unmatched' end,
        reason = r.reason,
        detail = r.detail
    from pending as p
    cross join lateral _momo_resolve_members(p.msisdns, p.notes) as r
    where w.inbox_id = p.ids[r.ord];

    update momo_alloc_work
    set
        outcome = 'unmatched',
        reason = 'currency_mismatch',
        detail = format('the SMS is in %s but the group keeps %s', currency, group_currency)
    where outcome is null and currency is distinct from group_currency;

    -- 4. Hints for the cases a person will look at.
    update momo_alloc_work
    set suggested_member_id = _momo_suggest_member(msisdn_suffix, sender_name)
    where outcome = 'unmatched' and msisdn_suffix is not null;

    -- 5. Close the inbox rows with the outcome decided so far; the rows without one
    -- are about to be posted. Duplicates found below are corrected in place.
    update momo_sms_inbox as i
    set
        processed_at = now(),
        attempts = i.attempts + 1,
        outcome = coalesce(w.outcome, 'allocated'),
        last_error = w.reason,
        next_attempt_at = null
    from momo_alloc_work as w
    where i.id = w.inbox_id;

    -- From here on a statement may meet a txn id that a parallel allocator has stored
    -- but not committed, and then waits for that commit: the work after this point is
    -- kept as short as it can be, so that such waits are short.

    -- 6. Store the parses; a txn id seen before (here or in an earlier SMS) is a
    -- duplicate, whatever was decided above. Rows go in txn_id order so parallel
    -- allocators take index locks in one order.
    with inserted as (
        insert into momo_parsed_txns (
            inbox_id, direction, kind, format, msisdn_e164, msisdn_suffix, sender_name,
            sender_note, amount, currency, txn_id, txn_ts, confidence, parsed_json
        )
        select
            w.inbox_id, w.direction, w.kind, w.format, w.msisdn_e164, w.msisdn_suffix,
            w.sender_name, w.sender_note, w.amount, w.currency, w.txn_id, w.txn_ts,
            w.confidence,
            jsonb_build_object(
                'allocatable', w.allocatable,
                'txn_ts_source', case when w.txn_ts_from_sms then 'sms' else 'received_at' end
            )
        from momo_alloc_work as w
        order by w.txn_id, w.inbox_id
        on conflict (txn_id) do nothing
        returning id, inbox_id
    )
    update momo_alloc_work as w set parsed_id = ins.id
    from inserted as ins
    where w.inbox_id = ins.inbox_id;

    with duplicates as (
        insert into momo_parsed_txns (
            inbox_id, direction, kind, format, msisdn_e164, msisdn_suffix, sender_name,
            sender_note, amount, currency, txn_id, txn_ts, confidence, duplicate_of, parsed_json
        )
        select
            w.inbox_id, w.direction, w.kind, w.format, w.msisdn_e164, w.msisdn_suffix,
            w.sender_name, w.sender_note, w.amount, w.currency, null, w.txn_ts, w.confidence,
            (select p.id from momo_parsed_txns as p where p.txn_id = w.txn_id),
            jsonb_build_object('txn_id', w.txn_id, 'allocatable', w.allocatable)
        from momo_alloc_work as w
        where w.parsed_id is null
        returning id, inbox_id, duplicate_of
    ),

    marked as (
        update momo_alloc_work as w
        set
            parsed_id = d.id,
            member_id = null,
            ikimina_id = null,
            matched_by = null,
            outcome = 'duplicate',
            reason = 'duplicate_txn',
            detail = format('transaction %s was already parsed (momo_parsed_txns.id %s)',
                w.txn_id, d.duplicate_of)
        from duplicates as d
        where w.inbox_id = d.inbox_id
        returning w.inbox_id
    )
    update momo_sms_inbox as i
    set outcome = 'duplicate', last_error = 'duplicate_txn'
    from marked as m
    where i.id = m.inbox_id;

    -- 7. Cases for people.
    insert into momo_unmatched (inbox_id, parsed_id, reason, detail, suggested_member_id)
    select w.inbox_id, w.parsed_id, w.reason, w.detail, w.suggested_member_id
    from momo_alloc_work as w
    where w.outcome = 'unmatched'
    order by w.inbox_id
    on conflict (inbox_id) where status = 'open' do nothing;

    -- 8. Post to the ledger; its trigger adds to the cycle totals in this transaction.
    with posted as (
        insert into contributions_ledger (
            ikimina_id, member_id, amount, currency, cycle_yyyymm, txn_id, source, meta,
            inbox_id, parsed_id
        )
        select
            w.ikimina_id, w.member_id, w.amount, w.currency,
            to_char(w.txn_ts at time zone v_timezone, 'YYYYMM')::integer,
            w.txn_id, 'sms',
            jsonb_build_object('inbox_id', w.inbox_id, 'parsed_id', w.parsed_id,
                'format', w.format, 'matched_by', w.matched_by),
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
    with late_duplicates as (
        update momo_alloc_work
        set
            outcome = 'duplicate',
            reason = 'duplicate_txn_ledger',
            detail = format('transaction %s is already in contributions_ledger', txn_id)
        where outcome is null
        returning inbox_id, outcome, reason
    )
    update momo_sms_inbox as i
    set outcome = d.outcome, last_error = d.reason
    from late_duplicates as d
    where i.id = d.inbox_id;

    select jsonb_build_object(
        'processed', count(*),
        'allocated', count(*) filter (where outcome = 'allocated'),
        'unmatched', count(*) filter (where outcome = 'unmatched'),
        'duplicates', count(*) filter (where outcome = 'duplicate'),
        'skipped', count(*) filter (where outcome = 'skipped'),
        'errors', '[]'::jsonb
    )
    into v_summary
    from momo_alloc_work;
    return v_summary;
end;
$$;

comment on function _momo_allocate_rows(bigint[]) is
'The allocation pipeline for a set of claimed inbox rows, set-based: parse, dedupe by txn id, '
'skip what is not money in from a person, resolve the member, open cases, close the inbox rows, '
'and post to the ledger last (cycle totals follow). Raises on unexpected errors.';
