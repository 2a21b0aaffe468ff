create table monitoring.queue_samples (
    sampled_at timestamptz primary key default now(),
    inbox_unprocessed integer not null check (inbox_unprocessed >= 0),
    inbox_retrying integer not null check (inbox_retrying >= 0),
    inbox_oldest_unprocessed_at timestamptz,
    unmatched_open integer not null check (unmatched_open >= 0),
    unmatched_oldest_open_at timestamptz
);

comment on table monitoring.queue_samples is
'Queue sizes sampled every minute by the pg_cron job monitoring-queue-sample, so alerts can '
'say "for more than N minutes". Columns: sampled_at; inbox_unprocessed (inbox rows with '
'processed_at null); inbox_retrying (of those, failed attempts waiting for their retry time); '
'inbox_oldest_unprocessed_at (ingested_at of the oldest waiting row); unmatched_open (open '
'momo_unmatched cases); unmatched_oldest_open_at. Kept for MONITORING_QUEUE_SAMPLE_RETENTION.';
