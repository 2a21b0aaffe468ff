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
    v_require_sender boolean := _setting('MOMO_ALLOCATOR_REQUIRE_SENDER')::boolean;
    v_max_amount numeric := _setting('MOMO_ALLOCATOR_MAX_AMOUNT')::numeric;
    v_balance_check text := _setting('MOMO_BALANCE_CHECK');
    v_linked bigint [];
    v_ids bigint [];
    v_texts text [];
    v_received timestamptz [];
    v_senders text [];
    v_accounts text [];
    v_summary jsonb;
begin
    perform _momo_alloc_work_open();

    select
        array_agg(i.id order by i.id), array_agg(i.raw_text order by i.id),
        array_agg(i.received_at order by i.id), array_agg(btrim(i.msisdn_raw) order by i.id),
        array_agg(coalesce(i.receiving_account, i.ingest_source) order by i.id)
    into v_ids, v_texts, v_received, v_senders, v_accounts
    from momo_sms_inbox as i
    where i.id = any(p_ids) and i.processed_at is null;

    if v_ids is null then
        return jsonb_build_object('processed', 0, 'allocated', 0, 'unmatched', 0,
            'duplicates', 0, 'skipped', 0, 'held', 0, 'errors', '[]'::jsonb);
    end if;

    -- ===== Parse the whole batch in one pass, and verify the sender. =====
    -- Only the operator's SMS are genuine: the gateway sender must be one of
    -- momo_provider_senders for the provider of the format that matched.
    insert into momo_alloc_work (
        inbox_id, sender, account, direction, kind, format, provider, allocatable, amount,
        currency, txn_id, txn_ts, txn_ts_from_sms, sender_name, msisdn_e164, msisdn_suffix,
        sender_note, balance, fee, confidence, genuine
    )
    select
        v_ids[p.ord], g.sender, g.account, p.direction, p.kind, p.format,
        p.provider, p.allocatable, p.amount, p.currency, p.txn_id, p.txn_ts, p.txn_ts_from_sms,
        p.sender_name, p.msisdn_e164, p.msisdn_suffix, p.sender_note, p.balance, p.fee,
        p.confidence,
        p.format is not null and (
            case
                when nullif(g.sender, '') is null then not v_require_sender
                else exists (
                    select
                    from momo_provider_senders as s
                    where s.provider = p.provider and lower(s.sender) = lower(g.sender)
                )
            end
        )
    from _momo_parse_batch(v_texts, v_received, v_timezone, v_country) as p
    -- (a text array's element is found by walking the array: join, do not subscript)
    inner join unnest(v_senders, v_accounts) with ordinality as g (sender, account, ord)
        on p.ord = g.ord;

    if cardinality(v_ids) > 200 then
        analyze momo_alloc_work;
    end if;

    -- ===== Decide what cannot be credited. =====
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

    -- ===== Resolve the members, all in one pass. =====
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

    -- Hints for the cases a person will look at.
    update momo_alloc_work
    set suggested_member_id = _momo_suggest_member(msisdn_suffix, sender_name)
    where outcome = 'unmatched' and msisdn_suffix is not null;

    -- ===== Close the inbox rows with the outcome decided so far. =====
    -- The rows without one are about to be posted; duplicates, conflicts and
    -- holds found below are corrected in place.
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

    -- ===== Store the parses: genuine SMS claim their transaction id. =====
    -- Rows go in txn_id order so parallel allocators take index locks in one order.
    with claimed as (
        insert into momo_parsed_txns (
            inbox_id, account, direction, kind, format, msisdn_e164, msisdn_suffix, sender_name,
            sender_note, amount, currency, txn_id, txn_ts, balance, fee, genuine, confidence,
            parsed_json
        )
        select
            w.inbox_id, w.account, w.direction, w.kind, w.format, w.msisdn_e164, w.msisdn_suffix,
            w.sender_name, w.sender_note, w.amount, w.currency, w.txn_id, w.txn_ts, w.balance,
            w.fee, true, w.confidence,
            jsonb_build_object(
                'allocatable', w.allocatable,
                'txn_ts_source', case when w.txn_ts_from_sms then 'sms' else 'received_at' end
            )
        from momo_alloc_work as w
        where w.genuine
        order by w.txn_id, w.inbox_id
        on conflict (txn_id) do nothing
        returning id, inbox_id
    )

    update momo_alloc_work as w set parsed_id = c.id
    from claimed as c
    where w.inbox_id = c.inbox_id;

    -- The rest: SMS that are not genuine (they never hold a txn id), and genuine
    -- SMS whose txn id is already claimed. The same movement (amount, kind, time)
    -- is the payment notified again, a duplicate; anything else is a conflict.
    with others as (
        select
            w.inbox_id,
            c.id as claim_id,
            coalesce(
                c.amount = w.amount and c.kind = w.kind
                and (
                    c.txn_ts = w.txn_ts or not w.txn_ts_from_sms
                    or c.parsed_json ->> 'txn_ts_source' is distinct from 'sms'
                ),
                false
            ) as same_movement
        from momo_alloc_work as w
        left join lateral (
            select x.id, x.amount, x.kind, x.txn_ts, x.parsed_json
            from momo_parsed_txns as x
            where w.genuine and x.txn_id = w.txn_id
        ) as c on true
        where w.parsed_id is null
    ),

    stored as (
        insert into momo_parsed_txns (
            inbox_id, account, direction, kind, format, msisdn_e164, msisdn_suffix, sender_name,
            sender_note, amount, currency, txn_id, txn_ts, balance, fee, genuine, confidence,
            duplicate_of, parsed_json
        )
        select
            w.inbox_id, w.account, w.direction, w.kind, w.format, w.msisdn_e164, w.msisdn_suffix,
            w.sender_name, w.sender_note, w.amount, w.currency, null, w.txn_ts, w.balance, w.fee,
            w.genuine, w.confidence, case when o.same_movement then o.claim_id end,
            jsonb_strip_nulls(jsonb_build_object(
                'txn_id', w.txn_id,
                'allocatable', w.allocatable,
                'txn_ts_source', case when w.txn_ts_from_sms then 'sms' else 'received_at' end,
                'conflicts_with', case when o.claim_id is not null and not o.same_movement then o.claim_id end
            ))
        from momo_alloc_work as w
        inner join others as o on w.inbox_id = o.inbox_id
        returning id, inbox_id, duplicate_of, parsed_json ->> 'conflicts_with' as conflicts_with
    ),

    marked as (
        update momo_alloc_work as w
        set
            parsed_id = s.id,
            member_id = case when s.duplicate_of is null and s.conflicts_with is null then w.member_id end,
            ikimina_id = case when s.duplicate_of is null and s.conflicts_with is null then w.ikimina_id end,
            matched_by = case when s.duplicate_of is null and s.conflicts_with is null then w.matched_by end,
            outcome = case
                when s.duplicate_of is not null then 'duplicate'
                when s.conflicts_with is not null then 'unmatched'
                else w.outcome
            end,
            reason = case
                when s.duplicate_of is not null then 'duplicate_txn'
                when s.conflicts_with is not null then 'txn_id_conflict'
                else w.reason
            end,
            detail = case
                when s.duplicate_of is not null then format(
                    'transaction %s was already parsed (momo_parsed_txns.id %s)', w.txn_id, s.duplicate_of
                )
                when s.conflicts_with is not null then format(
                    'transaction %s is claimed by momo_parsed_txns.id %s with another amount, kind or time',
                    w.txn_id, s.conflicts_with
                )
                else w.detail
            end
        from stored as s
        where w.inbox_id = s.inbox_id and (s.duplicate_of is not null or s.conflicts_with is not null)
        returning w.inbox_id, w.outcome, w.reason
    )

    update momo_sms_inbox as i
    set outcome = m.outcome, last_error = m.reason
    from marked as m
    where i.id = m.inbox_id;

    -- ===== Check the balance chain of the credits left. =====
    if v_balance_check <> 'off' then
        -- One pass over the stretches of history around this batch's credits: the
        -- balance-stating SMS in them that link (held credits of earlier runs too).
        select coalesce(array_agg(l.parsed_id) filter (where l.linked), '{}')
        into v_linked
        from _momo_balance_links(array(
            select w.parsed_id
            from momo_alloc_work as w
            inner join momo_sms_formats as f on w.format = f.name
            where w.outcome is null and 'balance' = any(f.field_names)
        )) as l;

        update momo_alloc_work as w
        set
            balance_verified = false,
            outcome = case when v_balance_check = 'hold' then 'held' end
        from momo_sms_formats as f
        where
            w.outcome is null and w.format = f.name and 'balance' = any(f.field_names)
            and not exists (select from unnest(v_linked) as l (parsed_id) where l.parsed_id = w.parsed_id);

        with held as (
            insert into momo_balance_holds (
                inbox_id, parsed_id, account, ikimina_id, member_id, matched_by
            )
            select w.inbox_id, w.parsed_id, w.account, w.ikimina_id, w.member_id, w.matched_by
            from momo_alloc_work as w
            where w.outcome = 'held'
            returning inbox_id
        )

        update momo_sms_inbox as i
        set outcome = 'held', last_error = 'balance_unverified'
        from held as h
        where i.id = h.inbox_id;

        -- Credits held by earlier runs that this batch's SMS link: posted below with it.
        insert into momo_alloc_work (
            inbox_id, account, format, amount, currency, txn_id, txn_ts, parsed_id, member_id,
            ikimina_id, matched_by, balance_verified, released_hold
        )
        select
            h.inbox_id, h.account, p.format, p.amount, p.currency, p.txn_id, p.txn_ts, h.parsed_id,
            h.member_id, h.ikimina_id, h.matched_by, true, true
        from (
            select x.inbox_id, x.parsed_id, x.account, x.member_id, x.ikimina_id, x.matched_by
            from momo_balance_holds as x
            inner join unnest(v_linked) as l (parsed_id) on x.parsed_id = l.parsed_id
            where x.released_at is null
            order by x.inbox_id
            for update of x skip locked
        ) as h
        inner join momo_parsed_txns as p on h.parsed_id = p.id;
    end if;

    -- ===== Cases for people. =====
    insert into momo_unmatched (inbox_id, parsed_id, reason, detail, suggested_member_id)
    select w.inbox_id, w.parsed_id, w.reason, w.detail, w.suggested_member_id
    from momo_alloc_work as w
    where w.outcome = 'unmatched' and not w.released_hold
    order by w.inbox_id
    on conflict (inbox_id) where status = 'open' do nothing;

    -- ===== Post to the ledger, last. =====
    perform _momo_post_ledger(v_timezone);
    perform _momo_balance_holds_close();

    select jsonb_build_object(
        'processed', count(*),
        'allocated', count(*) filter (where outcome = 'allocated'),
        'unmatched', count(*) filter (where outcome = 'unmatched'),
        'duplicates', count(*) filter (where outcome = 'duplicate'),
        'skipped', count(*) filter (where outcome = 'skipped'),
        'held', count(*) filter (where outcome = 'held'),
        'errors', '[]'::jsonb
    )
    into v_summary
    from momo_alloc_work
    where not released_hold;
    return v_summary;
end;
$$;

comment on function _momo_allocate_rows(bigint[]) is
'The allocation pipeline for a set of claimed inbox rows, set-based, in named stages: parse, verify '
'the sender, decide what cannot be credited, resolve the member, close the inbox rows, store the '
'parses (genuine SMS claim their txn id; duplicates and conflicts), check the balance chain (hold), '
'open cases, and post to the ledger last (cycle totals follow). Raises on unexpected errors.';
