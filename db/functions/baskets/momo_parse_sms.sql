create or replace function momo_parse_sms(
    p_raw_text text,
    p_received_at timestamptz default now()
)
returns setof momo_parse_row
language sql
stable
security definer
set search_path = pg_catalog, public, pg_temp
as $$
    select (p.parse).*
    from _momo_parse_batch(
        array[p_raw_text], array[p_received_at],
        _setting('MOMO_TIMEZONE'), _setting('MOMO_DEFAULT_COUNTRY_CODE')
    ) as p;
$$;

comment on function momo_parse_sms(text, timestamptz) is
'Reads one mobile-money SMS: direction (in/out/null), kind, amount, currency, txn id, time '
'(SMS local time in MOMO_TIMEZONE, else p_received_at), counterparty name and number (E.164 only '
'when complete; masked numbers give msisdn_suffix), the sender''s note, the account balance and '
'fee it states, confidence 0..1 (balance and fee do not count) and the format and provider that '
'matched. The gateway''s sender (the operator) is never taken for the payer.';
