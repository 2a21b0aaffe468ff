-- noqa: disable=LT05
-- (patterns are long by nature: their length is data, not style)
-- The balance chain: every MTN notification states the account's new balance
-- (and money out its fee). Ordered by the time written in the SMS, one
-- account's balances link: balance before + signed amount (- fee) = balance
-- after. A forger does not know the balance, and a break is an SMS the phone
-- never forwarded. This migration adds the parts, the per-SMS chain columns,
-- the claim rule for transaction ids, held credits, and their settings.

-- 1. Formats may name the parts balance and fee.
alter table momo_sms_formats drop constraint momo_sms_formats_known_fields;
alter table momo_sms_formats add constraint momo_sms_formats_known_fields check (
    field_names <@ array['amount', 'currency', 'txn_id', 'ts', 'name', 'msisdn', 'note', 'balance', 'fee']
    and 'amount' = any(field_names)
);

-- Every MTN kind that states a balance reads it (and its fee); the parts are
-- optional so an SMS that leaves them out still reads as before. A template
-- whose order varies (balance then fee, or fee then balance) names each part
-- once per alternative.
update momo_sms_formats set pattern = $f$You have received (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) from (?<name>[^(]+)\((?<msisdn>[0-9*+]{3,16})\) on your mobile money account at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\. Message from sender: ?(?<note>.*)\. Your new balance(?:: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\.)?(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$ where name = 'mtn_rw_p2p_received';
update momo_sms_formats set pattern = $f$A bank deposit of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) has been added to your mobile money account at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\. Your NEW BALANCE ?: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?$f$ where name = 'mtn_rw_deposit';
update momo_sms_formats set pattern = $f$Your transaction to (?<name>[^(]+)\((?<msisdn>[0-9*+]{3,16})\) with (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) has been reversed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\. Your new balance is (?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?$f$ where name = 'mtn_rw_reversal';
update momo_sms_formats set pattern = $f$TxId: ?(?<txn_id>[0-9]+)(?:\.|\*S\*) ?Your payment of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) to (?<name>.+) has been completed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\. Your new balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\. Fee was:? (?<fee>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}|\. Fee was:? (?<fee>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\. Your new balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?$f$ where name = 'mtn_rw_payment_txid_first';
update momo_sms_formats set pattern = $f$Your payment of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) to (?<name>[^(]+)\((?<msisdn>[0-9*+]{3,16})\) has been completed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\. Message: [^.]*\. Your new balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\. Fee was:? (?<fee>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$ where name = 'mtn_rw_payment';
update momo_sms_formats set pattern = $f$(?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) transferred to (?<name>[^(]+)\((?<msisdn>[0-9*+]{3,16})\) from [0-9]+ at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: ?\. Fee was:? (?<fee>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\. New balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?$f$ where name = 'mtn_rw_transfer_out';
update momo_sms_formats set pattern = $f$A transaction of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) by (?<name>.+) on your MOMO account was successfully completed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\. Message from debit receiver: [^.]*\. Your new balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\. Fee was:? (?<fee>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$ where name = 'mtn_rw_merchant_debit';
update momo_sms_formats set pattern = $f$have via agent: (?<name>[^(]+)\((?<msisdn>[0-9*+]{3,16})\), withdrawn (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) from your mobile money account:? ?[0-9]* at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: and you can now collect your money in cash\. Your new balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3}\. Fee paid: ?(?<fee>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$ where name = 'mtn_rw_withdrawal';
update momo_sms_formats set pattern = $f$You have transferred (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) to (?<name>[^(]+)\((?<msisdn>[0-9*+]{3,16})\) from your mobile money account.* at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\. Your new balance: ?(?<balance>[0-9][0-9,]*(?:\.[0-9]+)?) ?[A-Z]{3})?(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$ where name = 'mtn_rw_transfer_bank';

-- 2. One account (momo_sms_inbox.receiving_account, else ingest_source), one
-- balance history. A credit waiting for its balance to link is 'held' (see momo_balance_holds).
alter table momo_sms_inbox drop constraint momo_sms_inbox_outcome_check;
alter table momo_sms_inbox add constraint momo_sms_inbox_outcome_check check (
    outcome in ('allocated', 'unmatched', 'duplicate', 'skipped', 'dead_letter', 'held')
);

-- 3. What the chain needs from each parse.
alter table momo_parsed_txns
add column account text,
add column balance numeric(18, 2) check (balance >= 0),
add column fee numeric(18, 2) check (fee >= 0),
add column genuine boolean not null default false;

comment on column momo_parsed_txns.account is
'The receiving account the SMS belongs to: momo_sms_inbox.receiving_account, else its ingest_source.';
comment on column momo_parsed_txns.balance is
'The account''s new balance stated by the SMS (null when the format or the SMS states none).';
comment on column momo_parsed_txns.fee is 'The fee a money-out SMS states.';
comment on column momo_parsed_txns.genuine is
'True when a known format matched and the gateway sender is one of momo_provider_senders for its '
'provider. Only genuine parses claim a transaction id or take part in the balance chain.';

-- Backfill: earlier parses are genuine when their format and sender qualify;
-- a txn id held by a parse that is not genuine is released (kept in parsed_json).
with sources as (
    select
        p.id,
        coalesce(i.receiving_account, i.ingest_source) as account,
        p.format is not null and exists (
            select
            from momo_sms_formats as f
            inner join momo_provider_senders as s on f.provider = s.provider
            where f.name = p.format and lower(s.sender) = lower(btrim(i.msisdn_raw))
        ) as genuine
    from momo_parsed_txns as p
    inner join momo_sms_inbox as i on p.inbox_id = i.id
)

update momo_parsed_txns as p
set account = s.account, genuine = s.genuine
from sources as s
where p.id = s.id;

update momo_parsed_txns
set parsed_json = parsed_json || jsonb_build_object('txn_id', txn_id), txn_id = null
where txn_id is not null and not genuine;


-- The claim rule: a transaction id is held by at most one parse (the unique
-- constraint) and only by a genuine, first one. A junk or forged SMS can
-- therefore never make the operator's own SMS a duplicate.
alter table momo_parsed_txns add constraint momo_parsed_txns_only_genuine_claims
check (txn_id is null or (genuine and duplicate_of is null));

-- The signed movement of money a genuine, non-duplicate SMS states: + in,
-- - (amount + fee) out, 0 for kinds that move nothing (failed, initiated).
-- Unbounded numeric: amount + fee of a huge (refused) amount must not overflow.
alter table momo_parsed_txns add column movement numeric generated always as (
    case
        when not genuine or duplicate_of is not null or amount is null then null
        when direction = 'in' then amount
        when direction = 'out' then -(amount + coalesce(fee, 0))
        else 0
    end
) stored;

comment on column momo_parsed_txns.movement is
'Signed money movement of a genuine first SMS: +amount in, -(amount + fee) out, 0 when no money '
'moved; null for duplicates and SMS that are not genuine. The chain links balances with it.';

create index momo_parsed_txns_chain_idx on momo_parsed_txns (account, txn_ts, id)
where movement is not null;

-- 4. New case reasons.
alter table momo_unmatched drop constraint momo_unmatched_reason_check;
alter table momo_unmatched add constraint momo_unmatched_reason_check check (reason in (
    'low_confidence', 'profile_not_found', 'membership_not_found',
    'membership_ambiguous', 'member_code_ambiguous', 'amount_unavailable',
    'txn_id_missing', 'payer_unknown', 'currency_mismatch', 'dead_letter',
    'sender_not_operator', 'sender_unknown', 'txn_id_conflict', 'balance_unverified',
    'amount_above_limit'
));

-- 5. Credits whose balance does not link yet.
create table momo_balance_holds (
    inbox_id bigint primary key references momo_sms_inbox (id),
    parsed_id bigint not null unique references momo_parsed_txns (id),
    account text not null,
    ikimina_id uuid not null,
    member_id uuid not null,
    matched_by text,
    held_at timestamptz not null default now(),
    released_at timestamptz,
    release text check (release in ('verified', 'unverified', 'check_off', 'duplicate')),
    foreign key (member_id, ikimina_id) references ibimina_members (id, ikimina_id),
    constraint momo_balance_holds_release_complete
    check ((released_at is null) = (release is null))
);

comment on table momo_balance_holds is
'Credits from a chain-checked format whose balance did not yet link to a neighbouring SMS of the same '
'account (MOMO_BALANCE_CHECK = hold). The member was resolved when held; the allocator re-examines '
'each hold when later SMS of its account arrive and posts it once it links (release verified), or '
'after MOMO_BALANCE_CHECK_WAIT opens a balance_unverified case (release unverified).';

create index momo_balance_holds_open_idx on momo_balance_holds (held_at)
where released_at is null;

-- 6. Settings.
insert into app_settings (key, value, default_value, value_type, description) values
(
    'MOMO_BALANCE_CHECK', 'hold', 'hold', 'text',
    'hold: a credit whose balance does not link to a neighbouring SMS of its account is not allocated '
    'until it does (a balance_unverified case after MOMO_BALANCE_CHECK_WAIT); flag: allocated and '
    'reported in monitoring.suspected_forgeries; off: no chain check.'
),
(
    'MOMO_BALANCE_CHECK_WAIT', '30 minutes', '30 minutes', 'interval',
    'How long a held credit waits for its balance to link before it becomes a balance_unverified case.'
),
(
    'MOMO_ALLOCATOR_MAX_AMOUNT', '4000000', '4000000', 'numeric',
    'Credits above this amount become amount_above_limit cases. Default: the National Bank of Rwanda''s '
    'highest mobile-money per-transaction limit (RWF 4,000,000, Tier 2, since March 2020).'
),
(
    'MOMO_BALANCE_GAPS_LOOKBACK', '31 days', '31 days', 'interval',
    'How far back (by when the SMS was parsed) monitoring.balance_gaps and its alert look for breaks '
    'in the chain.'
),
(
    'MOMO_ALLOCATOR_REQUIRE_SENDER', 'true', 'true', 'boolean',
    'When true an SMS whose gateway gave no sender is never credited (sender_unknown case); when false '
    'it is treated as the operator''s.'
);

alter table app_settings add constraint app_settings_balance_check_mode
check (key <> 'MOMO_BALANCE_CHECK' or value in ('hold', 'flag', 'off'));
alter table app_settings add constraint app_settings_max_amount_range
check (case when key = 'MOMO_ALLOCATOR_MAX_AMOUNT' then value::numeric between 1 and 1000000000000 else true end);

-- 7. Functions whose result gains columns (re-created from db/functions).
drop function if exists _momo_parse_batch(text[], timestamptz[], text, text);
drop function if exists momo_parse_sms(text, timestamptz);
