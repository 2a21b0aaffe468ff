-- Thresholds and retention for the monitoring views and jobs. The alert
-- thresholds are the allocation runbook's pilot guidance; change them with
-- select setting_set(key, value, reason) (audited), never in the views.
insert into app_settings (key, value, default_value, value_type, description) values
(
    'MOMO_ALERT_INBOX_UNPROCESSED_ROWS', '25', '25', 'integer',
    'monitoring.alerts inbox_backlog: fires when more than this many inbox rows wait for the allocator '
    '(processed_at null) for longer than MOMO_ALERT_INBOX_UNPROCESSED_FOR.'
),
(
    'MOMO_ALERT_INBOX_UNPROCESSED_FOR', '10 minutes', '10 minutes', 'interval',
    'monitoring.alerts inbox_backlog: how long the backlog must stay above the row threshold '
    '(read from the per-minute samples in monitoring.queue_samples).'
),
(
    'MOMO_ALERT_UNMATCHED_OPEN_CASES', '10', '10', 'integer',
    'monitoring.alerts unmatched_open_cases: fires when more than this many momo_unmatched cases are open.'
),
(
    'MOMO_ALERT_UNMATCHED_CASE_AGE', '60 minutes', '60 minutes', 'interval',
    'monitoring.alerts unmatched_case_age: fires when any open momo_unmatched case is older than this.'
),
(
    'MONITORING_QUEUE_SAMPLE_RETENTION', '7 days', '7 days', 'interval',
    'How long the per-minute queue samples (monitoring.queue_samples) are kept.'
),
(
    'MONITORING_CRON_HISTORY_RETENTION', '7 days', '7 days', 'interval',
    'How long pg_cron run history (cron.job_run_details) is kept; trimmed daily.'
);
