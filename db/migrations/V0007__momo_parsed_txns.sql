create table momo_parsed_txns (
    id bigint generated always as identity primary key,
    inbox_id bigint not null unique references momo_sms_inbox (id),
    direction text check (direction in ('in', 'out')),
    kind text,
    format text,
    msisdn_e164 text check (msisdn_e164 ~ '^\+[1-9][0-9]{7,14}$'),
    msisdn_suffix text check (msisdn_suffix ~ '^[0-9]{1,6}$'),
    sender_name text,
    sender_note text,
    amount numeric(18, 2) check (amount > 0),
    currency text check (currency ~ '^[A-Z]{3}$'),
    txn_id text unique,
    txn_ts timestamptz,
    confidence numeric(3, 2) not null check (confidence between 0 and 1),
    parsed_json jsonb not null default '{}',
    created_at timestamptz not null default now()
);

comment on table momo_parsed_txns is
'What the parser read from each inbox SMS (one row per SMS). txn_id is unique: a second SMS '
'with the same transaction id is a duplicate and is never allocated again.';
