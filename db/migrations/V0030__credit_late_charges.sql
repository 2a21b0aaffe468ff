-- A campaign that outlives its reservation (released, or expired by the
-- reconciliation job) and then finishes with "creditsUsed" used those credits:
-- it is charged all the same, as a late debit of that reservation, even if
-- that overdraws the wallet. The overdraft shows as a negative balance and an
-- alert; no usage is ever dropped.

alter table "Wallet" drop constraint "Wallet_balance_check";

alter table "CreditTransaction"
add column "lateCharge" boolean not null default false,
add constraint credit_transaction_late_charge_is_debit check (not "lateCharge" or type = 'debit');

comment on column "CreditTransaction"."lateCharge" is
'A debit of credits a campaign used after its reservation was released or expired (charged when '
'the campaign became final with "creditsUsed"). It may overdraw the wallet.';

comment on column "Wallet".balance is
'Credits the shop owns: credits minus debits. Negative only when a late charge (a campaign that '
'finished after its reservation was released or expired) overdrew it: alert '
'credit_wallets_overdrawn.';

-- What a wallet may be overdrawn by: the sum of its late charges.
create index credit_transaction_late_shop_idx on "CreditTransaction" ("shopId") include (amount)
where "lateCharge";
