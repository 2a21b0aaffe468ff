create or replace view monitoring.suspected_forgeries as
select
    i.id as inbox_id,
    i.ingested_at,
    i.msisdn_raw as sender,
    coalesce(i.receiving_account, i.ingest_source) as account,
    c.reason,
    c.detail,
    c.id as case_id,
    c.status as case_status,
    p.amount,
    coalesce(p.txn_id, p.parsed_json ->> 'txn_id') as txn_id,
    null::bigint as ledger_id
from public.momo_unmatched as c
inner join public.momo_sms_inbox as i on c.inbox_id = i.id
left join public.momo_parsed_txns as p on c.parsed_id = p.id
-- the SMS's own parse (a conflict's case names the parse that claimed the id)
left join public.momo_parsed_txns as own on i.id = own.inbox_id
left join public.momo_balance_history as verified on own.id = verified.parsed_id
where
    c.reason in (
        'sender_not_operator', 'sender_unknown', 'balance_unverified', 'txn_id_conflict',
        'sms_time_mismatch'
    )
    -- never an SMS verified in its account's balance history
    and verified.parsed_id is null

union all

-- MOMO_BALANCE_CHECK = flag: credited although the balance did not link.
select
    i.id as inbox_id,
    i.ingested_at,
    i.msisdn_raw as sender,
    coalesce(i.receiving_account, i.ingest_source) as account,
    'balance_unverified_credited' as reason,
    'allocated with MOMO_BALANCE_CHECK = flag although its balance did not link' as detail,
    null as case_id,
    null as case_status,
    l.amount,
    l.txn_id,
    l.id as ledger_id
from public.contributions_ledger as l
inner join public.momo_sms_inbox as i on l.inbox_id = i.id
left join public.momo_balance_history as verified on l.parsed_id = verified.parsed_id
where l.meta ->> 'balance_verified' = 'false' and verified.parsed_id is null
order by ingested_at desc;

comment on view monitoring.suspected_forgeries is
'SMS that looked like a payment but could not be shown genuine (never one verified in its '
'account''s balance history), newest first. inbox_id, '
'ingested_at: the SMS and when it arrived. sender, account: who sent it and which collection phone '
'got it. reason, detail, case_id, case_status: its momo_unmatched case, with reason '
'sender_not_operator (sent from an ordinary number), sender_unknown (no sender), '
'balance_unverified (its balance never linked to the account''s verified history, or its wording '
'states none), sms_time_mismatch (written long before or after the phone received it) or txn_id_conflict '
'(another SMS claims its transaction id with other details); or, under MOMO_BALANCE_CHECK = flag, '
'balance_unverified_credited for a credit whose balance did not link (ledger_id set). amount, '
'txn_id: what it claims. Runbook: Suspected forgeries.';
