create or replace view monitoring.alerts as
with thresholds as (
    select
        max(s.value) filter (where s.key = 'MOMO_ALERT_INBOX_UNPROCESSED_ROWS')::bigint as inbox_rows,
        max(s.value) filter (where s.key = 'MOMO_ALERT_INBOX_UNPROCESSED_FOR') as inbox_for_text,
        max(s.value) filter (where s.key = 'MOMO_ALERT_INBOX_UNPROCESSED_FOR')::interval as inbox_for,
        max(s.value) filter (where s.key = 'MOMO_ALERT_UNMATCHED_OPEN_CASES')::bigint as open_cases,
        max(s.value) filter (where s.key = 'MOMO_ALERT_UNMATCHED_CASE_AGE') as case_age_text,
        max(s.value) filter (where s.key = 'MOMO_ALERT_UNMATCHED_CASE_AGE')::interval as case_age
    from public.app_settings as s
),

live as (
    select
        (select count(*) from public.momo_sms_inbox where processed_at is null) as inbox_unprocessed,
        (select count(*) from public.momo_unmatched where status = 'open') as unmatched_open,
        (select min(created_at) from public.momo_unmatched where status = 'open') as unmatched_oldest_at,
        (select max(sampled_at) from monitoring.queue_samples) as last_sample_at
),

-- The backlog has been above the threshold since the first sample after the
-- last sample at or below it (null when the latest sample is at or below it).
breach as (
    select min(q.sampled_at) as since
    from monitoring.queue_samples as q
    cross join thresholds as t
    where q.sampled_at > coalesce((
        select max(ok.sampled_at)
        from monitoring.queue_samples as ok
        where ok.inbox_unprocessed <= t.inbox_rows
    ), '-infinity')
)

select
    'inbox_backlog' as alert,
    coalesce(l.inbox_unprocessed > t.inbox_rows and b.since < now() - t.inbox_for, false) as firing,
    l.inbox_unprocessed as current_value,
    t.inbox_rows as threshold,
    'rows' as unit,
    case when l.inbox_unprocessed > t.inbox_rows then b.since end as since,
    format(
        'momo_sms_inbox unprocessed > %s rows for more than %s', t.inbox_rows, t.inbox_for_text
    ) as rule,
    'Investigate ingest and allocation: monitoring.allocator_status (paused? failing?), '
    'monitoring.cron_jobs, monitoring.inbox_errors. Runbook: Queue backlog.' as action,
    case
        when l.last_sample_at is null
            then 'no queue sample yet: is the pg_cron job monitoring-queue-sample active?'
        when l.last_sample_at < now() - interval '3 minutes'
            then format(
                'queue sampling stopped at %s: is the pg_cron job monitoring-queue-sample active?',
                l.last_sample_at
            )
    end as note
from live as l
cross join thresholds as t
cross join breach as b

union all

select
    'unmatched_open_cases' as alert,
    l.unmatched_open > t.open_cases as firing,
    l.unmatched_open as current_value,
    t.open_cases as threshold,
    'cases' as unit,
    null as since,
    format('momo_unmatched open cases > %s', t.open_cases) as rule,
    'Escalate to the reconciliation workflow: work monitoring.unmatched_open with '
    'unmatched_resolve(). Runbook: Unmatched cases.' as action,
    null as note
from live as l
cross join thresholds as t

union all

select
    'unmatched_case_age' as alert,
    coalesce(l.unmatched_oldest_at < now() - t.case_age, false) as firing,
    coalesce(extract(epoch from now() - l.unmatched_oldest_at)::bigint, 0) as current_value,
    extract(epoch from t.case_age)::bigint as threshold,
    'seconds' as unit,
    case
        when l.unmatched_oldest_at < now() - t.case_age then l.unmatched_oldest_at + t.case_age
    end as since,
    format('any momo_unmatched open case older than %s', t.case_age_text) as rule,
    'Escalate to the reconciliation workflow: work monitoring.unmatched_open (oldest first) with '
    'unmatched_resolve(). Runbook: Unmatched cases.' as action,
    null as note
from live as l
cross join thresholds as t

union all

select
    'balance_gap' as alert,
    g.gaps > 0 as firing,
    g.gaps as current_value,
    0 as threshold,
    'gaps' as unit,
    g.since,
    'a break in an account''s balance chain (monitoring.balance_gaps)' as rule,
    'The gateway may have dropped an SMS: check the phone''s MoMo statement between the times in '
    'monitoring.balance_gaps; have the gateway resend the missing SMS, or confirm an anchor '
    '(balance_anchor_confirm). Runbook: Balance gaps.' as action,
    null as note
from (
    select
        count(*) as gaps,
        min(b.after_txn_ts) as since
    from public._momo_balance_gaps((
        select s.value::interval
        from public.app_settings as s
        where s.key = 'MOMO_BALANCE_GAPS_LOOKBACK'
    )) as b
) as g

union all

select
    'suspected_forgery' as alert,
    f.cases > 0 as firing,
    f.cases as current_value,
    0 as threshold,
    'cases' as unit,
    f.since,
    'an open case for an SMS that could not be shown genuine (monitoring.suspected_forgeries)' as rule,
    'Compare the SMS with the collection phone''s own inbox and the operator statement before '
    'crediting anyone. Runbook: Suspected forgeries.' as action,
    null as note
from (
    select
        count(*) as cases,
        min(c.created_at) as since
    from public.momo_unmatched as c
    where
        c.status = 'open'
        and c.reason in (
            'sender_not_operator', 'sender_unknown', 'balance_unverified', 'txn_id_conflict',
            'sms_time_mismatch'
        )
) as f

union all

-- The allocator fails as a whole (not because of one SMS): every batch is left
-- queued and retried, nothing is charged to rows, so only this alert says so.
-- (An aggregate: one row whether or not a fault is open; at most one is.)
select
    'allocator_failing' as alert,
    count(*) > 0 as firing,
    coalesce(max(f.occurrences), 0)::bigint as current_value,
    0::bigint as threshold,
    'batches' as unit,
    min(f.first_at) as since,
    'the allocator failed as a whole (an error of the system, not of one SMS) and has not '
    'recovered' as rule,
    'Read the error, fix the system (locks, disk, privileges, a bad deploy); batches retry every '
    'minute and every SMS allocates once it is gone. Runbook: Allocator failing as a whole.' as action,
    max(format('allocator failing as a whole: %s %s (last at %s)', f.sqlstate, f.message, f.last_at))
        as note
from public.momo_allocator_faults as f
where f.cleared_at is null

union all

-- A campaign charged after its reservation was freed overdrew a wallet: the
-- debit is recorded (usage is never dropped); finance settles with the shop.
select
    'credit_wallets_overdrawn' as alert,
    count(*) > 0 as firing,
    count(*) as current_value,
    0::bigint as threshold,
    'wallets' as unit,
    null::timestamptz as since,
    'any "Wallet".balance below zero (a late charge overdrew it)' as rule,
    'Finance: read the late charges ("CreditTransaction"."lateCharge"), agree the payment with the '
    'shop and record it with credit_top_up(). Runbook: Campaign charged after its reservation.' as action,
    case
        when count(*) > 0
            then 'overdrawn: ' || string_agg(format('%s (%s)', w."shopId", w.balance), ', ' order by w."shopId")
    end as note
from public."Wallet" as w
where w.balance < 0

union all

-- Credits resolved across all groups because the receiving account collects for none.
select
    'account_without_group' as alert,
    count(*) > 0 as firing,
    count(*) as current_value,
    0::bigint as threshold,
    'accounts' as unit,
    null::timestamptz as since,
    'an account whose SMS were credited in the last 30 days collects for no group, while others '
    'do (monitoring.accounts_without_group)' as rule,
    'Tie the account to its group with collection_account_add(group, account, reason); check the '
    'credits it received went to that group''s members. Runbook: Recognising a payer.' as action,
    case
        when count(*) > 0
            then 'accounts: ' || string_agg(coalesce(a.account, '(none)'), ', ' order by a.account)
    end as note
from monitoring.accounts_without_group as a
-- (once accounts are tied to groups at all: before, every account resolves as it always did)
where
    a.last_credit_at > now() - interval '30 days'
    and exists (select from public.collection_accounts);

comment on view monitoring.alerts is
'The allocation runbook''s pilot alerts, one row each, with thresholds from app_settings '
'(MOMO_ALERT_*). alert: inbox_backlog (unprocessed SMS above MOMO_ALERT_INBOX_UNPROCESSED_ROWS '
'for longer than MOMO_ALERT_INBOX_UNPROCESSED_FOR, judged from the per-minute samples in '
'monitoring.queue_samples), unmatched_open_cases (open cases above MOMO_ALERT_UNMATCHED_OPEN_CASES) '
'or unmatched_case_age (an open case older than MOMO_ALERT_UNMATCHED_CASE_AGE), balance_gap (a '
'break in an account''s verified balance history: money no SMS explains), suspected_forgery (an '
'open sender_not_operator, sender_unknown, balance_unverified, sms_time_mismatch or txn_id_conflict '
'case), '
'allocator_failing (momo_allocator_faults has an open fault; note names the error), '
'account_without_group (an account credited in the last 30 days collects for no group while '
'collection_accounts has rows: '
'monitoring.accounts_without_group; note names them) and '
'credit_wallets_overdrawn (a wallet balance below zero after a late charge; note names them). '
'firing: true when '
'the alert holds now. current_value and threshold: the measured number and its limit, in unit '
'(rows, cases, seconds). since: when the condition started to hold (null when it does not). '
'rule: the alert in words. action: what to do. note: why the alert may be blind (no recent '
'queue sample).';
