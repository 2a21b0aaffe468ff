-- The allocator's fixed shapes get one definition each: the row a parse gives
-- (it was written out in _momo_parse_batch, momo_parse_sms and the work table)
-- and the summary of a batch (its keys were written in five places).

-- Functions whose result becomes one of these types (re-created from db/functions).
-- momo_parse_sms keeps its columns, names and order: select * from it is unchanged.
drop function if exists momo_parse_sms(text, timestamptz);
drop function if exists _momo_parse_batch(text[], timestamptz[], text, text);
drop function if exists _momo_allocate_isolating(bigint[]);
drop function if exists _momo_allocate_rows(bigint[]);

create type momo_parse_row as (
    direction text,
    kind text,
    format text,
    provider text,
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
    balance numeric,
    fee numeric,
    confidence numeric
);

comment on type momo_parse_row is
'What reading one SMS gives: direction (in/out/null), kind, the format and provider that matched, '
'whether it names a payer (allocatable), amount, currency, txn id and time (txn_ts_from_sms: read '
'from the SMS, else its received_at), counterparty name and number, note, the balance and fee it '
'states, confidence 0..1. Rows of momo_parse_sms(), _momo_parse_batch() and the allocator''s work table.';

create type momo_allocation_summary as (
    processed integer,
    allocated integer,
    unmatched integer,
    duplicates integer,
    skipped integer,
    held integer,
    errors jsonb,
    fault jsonb
);

comment on type momo_allocation_summary is
'What one allocation batch did: SMS processed and how many ended allocated, unmatched, duplicates '
'(inbox outcome duplicate), skipped and held; errors, one object per SMS that failed alone; fault, '
'null unless the whole batch failed for a reason of the system. momo_allocate() returns it as '
'jsonb (_momo_summary_jsonb: the attribute names are the keys; fault only when set).';
