create or replace view monitoring.duplicates as
select
    'ingest_redelivery' as kind,
    'The gateway delivered the same SMS again (same message, number and time); stored once, '
    'momo_sms_inbox.duplicate_count counts the repeats.' as description,
    coalesce(sum(i.duplicate_count), 0)::bigint as occurrences,
    count(*) filter (where i.last_duplicate_at > now() - interval '1 hour') as sms_last_hour,
    count(*) filter (where i.last_duplicate_at > now() - interval '24 hours') as sms_last_24h,
    max(i.last_duplicate_at) as last_seen_at
from public.momo_sms_inbox as i
where i.duplicate_count > 0

union all

select
    d.kind,
    d.description,
    count(i.id) as occurrences,
    count(i.id) filter (where i.processed_at > now() - interval '1 hour') as sms_last_hour,
    count(i.id) filter (where i.processed_at > now() - interval '24 hours') as sms_last_24h,
    max(i.processed_at) as last_seen_at
from (
    values
    (
        'parse_txn_id', 'duplicate_txn',
        'A different SMS carried a transaction id already parsed: outcome duplicate, never allocated '
        'again (momo_parsed_txns.duplicate_of names the first).'
    ),
    (
        'ledger_txn_id', 'duplicate_txn_ledger',
        'The transaction id was already in contributions_ledger (its unique txn_id refused a second '
        'entry, e.g. after a manual allocation): outcome duplicate.'
    )
) as d (kind, reason, description)
left join public.momo_sms_inbox as i
    on i.outcome = 'duplicate' and d.reason = i.last_error
group by d.kind, d.description
order by kind;

comment on view monitoring.duplicates is
'Duplicate detection, one row per kind. kind: ingest_redelivery (the same SMS delivered again, '
'caught by the inbox hash), parse_txn_id (another SMS with a transaction id already parsed) or '
'ledger_txn_id (the ledger''s unique txn_id refused a second entry). description: the same in '
'words. occurrences: all time (for ingest_redelivery every repeated delivery; otherwise SMS). '
'sms_last_hour, sms_last_24h: SMS with such an event in the window (for ingest_redelivery, SMS '
'whose latest repeat falls in it). last_seen_at: the latest one.';
