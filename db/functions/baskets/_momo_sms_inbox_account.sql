create or replace function _momo_sms_inbox_account()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- A phone number, in whatever form the gateway app was given it (0788..., 250788...,
    -- +250 788 ...), becomes E.164: the same phone is the same account through any app.
    -- A label (sms-gate:<device>/sim1, smssync:<device>) is kept as it is.
    new.receiving_account := coalesce(
        public._msisdn_e164(new.receiving_account, public._setting('MOMO_DEFAULT_COUNTRY_CODE')),
        new.receiving_account
    );
    return new;
end;
$$;

comment on function _momo_sms_inbox_account() is
'Trigger function: writes the receiving account of a new inbox row in E.164 when it is a phone '
'number (MOMO_DEFAULT_COUNTRY_CODE for national forms), so one phone keeps one balance history '
'whatever gateway app forwards its SMS; a label that is not a number is kept.';

create or replace trigger momo_sms_inbox_account_e164
before insert on momo_sms_inbox
for each row when (new.receiving_account is not null)
execute function _momo_sms_inbox_account();
