create table app_settings (
    key text primary key check (key ~ '^[A-Z][A-Z0-9_]*$'),
    value text not null,
    default_value text not null,
    value_type text not null
    check (value_type in ('integer', 'numeric', 'boolean', 'text', 'timezone', 'interval')),
    description text not null,
    updated_at timestamptz not null default now(),
    updated_by text not null default session_user
);

comment on table app_settings is
'Runtime settings read by the database code (pg_cron runs here, not in Flask). '
'Change one with select setting_set(key, value, reason); each change is audited.';

insert into app_settings (key, value, default_value, value_type, description) values
(
    'MOMO_ALLOCATOR_BATCH_SIZE', '10', '10', 'integer',
    'Rows one momo_allocate() call claims when no limit is given (the HTTP trigger).'
),
(
    'MOMO_ALLOCATOR_DRAIN_BATCH_SIZE', '5000', '5000', 'integer',
    'Rows per committed batch when the pg_cron job drains the queue.'
),
(
    'MOMO_ALLOCATOR_TIME_BUDGET', '50 seconds', '50 seconds', 'interval',
    'How long one pg_cron drain run may keep starting new batches (jobs run every minute).'
),
(
    'MOMO_ALLOCATOR_MIN_CONFIDENCE', '0.8', '0.8', 'numeric',
    'Parses below this confidence (0..1) are never allocated: they become low_confidence cases.'
),
(
    'MOMO_ALLOCATOR_REQUIRE_TXN_ID', 'true', 'true', 'boolean',
    'When true an SMS without a transaction id is never allocated (txn_id_missing case).'
),
(
    'MOMO_ALLOCATOR_MAX_ATTEMPTS', '5', '5', 'integer',
    'After this many failed attempts an inbox row becomes a dead letter for a person.'
),
(
    'MOMO_ALLOCATOR_RETRY_BACKOFF', '30 seconds', '30 seconds', 'interval',
    'Base delay before retrying a failed row; doubles with each attempt.'
),
(
    'MOMO_TIMEZONE', 'Africa/Kigali', 'Africa/Kigali', 'timezone',
    'Zone of the times written in SMS bodies and of the contribution cycle months.'
),
(
    'MOMO_DEFAULT_COUNTRY_CODE', '250', '250', 'text',
    'Country calling code used to normalise local phone numbers (07...) to E.164.'
);
