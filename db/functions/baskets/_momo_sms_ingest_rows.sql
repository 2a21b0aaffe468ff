create or replace function _momo_sms_ingest_rows(p_deliveries momo_sms_delivery[])
returns table (
    ord integer,
    hash text,
    raw_text text,
    msisdn_raw text,
    received_at timestamptz,
    ingest_source text,
    metadata jsonb,
    receiving_account text,
    gateway text,
    gateway_message_id text
)
language sql
stable
-- No SET clause and a single select, so the planner inlines it into the caller's query.
as $$
    select
        d.ordinality::integer,
        _momo_sms_hash(d.message, d.msisdn, d.received_at),
        d.message,
        d.msisdn,
        coalesce(d.received_at::timestamptz, now()),
        coalesce(d.ingest_source, 'gateway'),
        d.metadata,
        -- A phone number, in whatever form the gateway app was given it (0788...,
        -- 250788..., +250 788 ...), in E.164: one phone is one account through any
        -- app. A label (sms-gate:<device>/sim1, smssync:<device>) is kept as it is.
        coalesce(
            _msisdn_e164(d.receiving_account, (select _setting('MOMO_DEFAULT_COUNTRY_CODE'))),
            d.receiving_account
        ),
        d.gateway,
        d.gateway_message_id
    from unnest(p_deliveries) with ordinality as d;
$$;

comment on function _momo_sms_ingest_rows(momo_sms_delivery[]) is
'The deliveries of an ingest batch as the momo_sms_inbox rows they would become, in the inbox''s '
'column names: ord (the delivery''s place in the array), the hash (_momo_sms_hash), receivedAt as '
'timestamptz (now() when absent), the ingest source (gateway when absent) and the receiving '
'account in E.164 when it is a phone number (MOMO_DEFAULT_COUNTRY_CODE for national forms; a '
'label is kept). Checked before by _momo_sms_ingest_validate.';
