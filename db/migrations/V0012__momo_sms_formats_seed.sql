-- noqa: disable=LT05
-- (the samples are verbatim operator SMS: their length is data, not style)
-- The formats shipped with the system: every MTN MoMo Rwanda kind in
-- shared/sms-formats.md and the spec's sample. DBAs add more with an insert
-- (see docs/runbook.md); the constraints check each against its sample.
insert into momo_sms_formats (
    name, provider, kind, direction, allocatable, priority, keyword, pattern, sample, description
) values
(
    'mtn_rw_p2p_received', 'mtn_rw', 'p2p_received', 'in', true, 10, $f$You have received$f$,
    $f$You have received (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) from (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\) on your mobile money account at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\. Message from sender: ?(?<note>.*)\. Your new balance(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$,
    $f$You have received 3500 RWF from Aline MUKAMANA (*********482) on your mobile money account at 2024-06-02 08:15:40. Message from sender: . Your new balance:15200 RWF. Financial Transaction Id: 51234098765.$f$,
    $f$MTN MoMo Rwanda: money received from a person (masked or full payer number).$f$
),
(
    'spec_sample_received', 'spec', 'p2p_received', 'in', true, 15, $f$You have received$f$,
    $f$You have received (?<currency>[A-Z]{3}) (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) from (?<name>.+) (?<msisdn>\+?[0-9*]{6,16}) TxnID (?<txn_id>[A-Za-z0-9]+) on (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?)$f$,
    $f$You have received RWF 12,000 from Jean Bosco +250788000001 TxnID ABC123456 on 2025-01-18 14:20:00.$f$,
    $f$The Baskets spec's sample template (currency before amount, TxnID label).$f$
),
(
    'mtn_rw_deposit', 'mtn_rw', 'deposit', 'in', false, 20, $f$deposit of$f$,
    $f$A bank deposit of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) has been added to your mobile money account at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$f$,
    $f$*113*R*A bank deposit of 10000 RWF has been added to your mobile money account at 2024-06-03 19:20:01. Your NEW BALANCE :25200 RWF. Cash Deposit::CASH::::0::250780000000.Thank you for using MTN MobileMoney.*EN#$f$,
    $f$MTN MoMo Rwanda: bank or agent deposit; money in with no payer identity (a person assigns it).$f$
),
(
    'mtn_rw_reversal', 'mtn_rw', 'reversal', 'in', false, 20, $f$has been reversed$f$,
    $f$Your transaction to (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\) with (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) has been reversed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$f$,
    $f$*143*S*Your transaction to Jean NIYONZIMA (250789876543) with 3000 RWF has been reversed at 2024-10-07 14:37:00. Your new balance is 10312 RWF. .Thank you for using MTN MobileMoney.*EN#$f$,
    $f$MTN MoMo Rwanda: the account's own earlier transfer came back; never a contribution.$f$
),
(
    'mtn_rw_payment_txid_first', 'mtn_rw', 'payment', 'out', false, 30, $f$TxId:$f$,
    $f$TxId: ?(?<txn_id>[0-9]+)(?:\.|\*S\*) ?Your payment of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) to (?<name>.+) has been completed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$f$,
    $f$TxId: 61234567890. Your payment of 1,500 RWF to Claude NKURUNZIZA 40213 has been completed at 2024-06-04 12:01:09. Your new balance: 13,700 RWF. Fee was 0 RWF.Kanda*182*16# wiyandikishe muri poromosiyo ...$f$,
    $f$MTN MoMo Rwanda: payment out (merchant code or airtime), transaction id first.$f$
),
(
    'mtn_rw_payment', 'mtn_rw', 'payment', 'out', false, 31, $f$Your payment of$f$,
    $f$Your payment of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) to (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\) has been completed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$,
    $f$Your payment of 8000 RWF to Claude NKURUNZIZA (250784445566) has been completed at 2024-10-29 13:18:05. Message: . Your new balance: 36282 RWF. Fee was 0 RWF. The amount was subject to a discount of 0 RWF and coupons worth . Financial Transaction Id: 16500011122. External Transaction Id: -.$f$,
    $f$MTN MoMo Rwanda: payment out to a person or merchant number.$f$
),
(
    'mtn_rw_transfer_out', 'mtn_rw', 'transfer', 'out', false, 30, $f$transferred to$f$,
    $f$(?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) transferred to (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\) from [0-9]+ at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$f$,
    $f$*165*S*5000 RWF transferred to Diane UWASE (250782223344) from 36500000 at 2024-06-06 20:34:47 . Fee was: 100 RWF. New balance: 6600 RWF. Kugura ama inite cg interineti kuri MoMo, Kanda *182*2*1# .*EN#$f$,
    $f$MTN MoMo Rwanda: transfer out to another mobile-money account.$f$
),
(
    'mtn_rw_merchant_debit', 'mtn_rw', 'merchant_debit', 'out', false, 30, $f$A transaction of$f$,
    $f$A transaction of (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) by (?<name>.+) on your MOMO account was successfully completed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$,
    $f$*164*S*Y'ello,A transaction of 8000 RWF by EXAMPLE PAY LTD on your MOMO account was successfully completed at 2024-06-15 21:28:58. Message from debit receiver: 1599. Your new balance:4110 RWF. Fee was 0 RWF. Financial Transaction Id: 13900011122. External Transaction Id: 478000.*EN#$f$,
    $f$MTN MoMo Rwanda: a merchant debited the account.$f$
),
(
    'mtn_rw_withdrawal', 'mtn_rw', 'withdrawal', 'out', false, 30, $f$withdrawn$f$,
    $f$have via agent: (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\), withdrawn (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) from your mobile money account:? ?[0-9]* at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$,
    $f$You Aline MUKAMANA (*********036) have via agent: Agent Grace (250783334455), withdrawn 20000 RWF from your mobile money account: 36500000 at 2024-05-26 02:10:27 and you can now collect your money in cash. Your new balance: 500 RWF. Fee paid: 700 RWF. Message from agent: . Financial Transaction Id: 14400011122.$f$,
    $f$MTN MoMo Rwanda: cash withdrawal at an agent (name/msisdn are the agent's).$f$
),
(
    'mtn_rw_transfer_bank', 'mtn_rw', 'transfer', 'out', false, 30, $f$You have transferred$f$,
    $f$You have transferred (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) to (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\) from your mobile money account.* at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:.*Financial Transaction Id: (?<txn_id>[0-9]+))?$f$,
    $f$You have transferred 50000 RWF to Eric HABIMANA (250781234567) from your mobile money account 20070000001 imbank.bank at 2024-10-23 16:43:03. Your new balance: . Message from sender: . Message to receiver: . Financial Transaction Id: 27800011122.$f$,
    $f$MTN MoMo Rwanda: transfer out from the account (including bank-linked accounts).$f$
),
(
    'mtn_rw_bundle_purchase', 'mtn_rw', 'bundle_purchase', 'out', false, 40, $f$Umaze kugura$f$,
    $f$Umaze kugura .* igura (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3})$f$,
    $f$Yello!Umaze kugura 2,000FRW(2GB) igura 2,000 RWF$f$,
    $f$MTN Rwanda: data/airtime bundle bought with mobile money (no time, no id).$f$
),
(
    'mtn_rw_failed', 'mtn_rw', 'failed', null, false, 50, $f$failed at$f$,
    $f$the transaction with amount (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3}) for (?<name>.+) with message: ?(?<note>.*) failed at (?<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})$f$,
    $f$*143*R*Y'ello, the transaction with amount 14200 RWF for EXAMPLE PAY LTD with message: 1734 failed at 2024-09-21 15:49:01 .Please Contact MobileMoney HelpLine for Assistance.Thank you for using MTN MobileMoney.*EN#$f$,
    $f$MTN MoMo Rwanda: a transaction failed; no money moved.$f$
),
(
    'mtn_rw_reversal_initiated', 'mtn_rw', 'reversal_initiated', null, false, 50, $f$reversal has been initiated$f$,
    $f$A reversal has been initiated for your transaction to (?<name>[^()]+) \((?<msisdn>[0-9*+]{3,16})\) with (?<amount>[0-9][0-9,]*(?:\.[0-9]+)?) (?<currency>[A-Z]{3})$f$,
    $f$A reversal has been initiated for your transaction to Jean NIYONZIMA (250789876543) with 3000 RWF.$f$,
    $f$MTN MoMo Rwanda: a reversal started; no money moved yet.$f$
);
