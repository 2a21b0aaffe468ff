-- The money tables' columns: every amount finite, exact and stored with two decimals.
-- One small trigger function per table (each names its own columns, so plpgsql_check
-- reads every field against its table), all through _money_exact. Each trigger is
-- named _money_exact: before triggers fire in name order, so the amount is checked
-- before any other trigger reads it.

create or replace function _contributions_ledger_money_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of the table (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    new.amount := public._money_exact('amount', new.amount);
    return new;
end;
$$;

comment on function _contributions_ledger_money_exact() is
'Trigger function on contributions_ledger (before insert or update): '
'amount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 '
'naming the column; never rounded); stored with exactly two decimals, as the table''s '
'*_money checks require.';

create or replace trigger _money_exact
before insert or update on contributions_ledger
for each row execute function _contributions_ledger_money_exact();

create or replace function _contribution_cycles_money_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of the table (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    new.expected_amount := public._money_exact('expected_amount', new.expected_amount);
    new.collected_amount := public._money_exact('collected_amount', new.collected_amount);
    return new;
end;
$$;

comment on function _contribution_cycles_money_exact() is
'Trigger function on contribution_cycles (before insert or update): '
'expected_amount and collected_amount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 '
'naming the column; never rounded); stored with exactly two decimals, as the table''s '
'*_money checks require.';

create or replace trigger _money_exact
before insert or update on contribution_cycles
for each row execute function _contribution_cycles_money_exact();

create or replace function _wallet_money_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of the table (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    new.balance := public._money_exact('balance', new.balance);
    return new;
end;
$$;

comment on function _wallet_money_exact() is
'Trigger function on "Wallet" (before insert or update): '
'balance must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 '
'naming the column; never rounded); stored with exactly two decimals, as the table''s '
'*_money checks require.';

create or replace trigger _money_exact
before insert or update on "Wallet"
for each row execute function _wallet_money_exact();

create or replace function _campaign_money_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of the table (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    new."creditsUsed" := public._money_exact('creditsUsed', new."creditsUsed");
    return new;
end;
$$;

comment on function _campaign_money_exact() is
'Trigger function on "Campaign" (before insert or update): '
'creditsUsed must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 '
'naming the column; never rounded); stored with exactly two decimals, as the table''s '
'*_money checks require.';

create or replace trigger _money_exact
before insert or update on "Campaign"
for each row execute function _campaign_money_exact();

create or replace function _credit_reservation_money_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of the table (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    new.amount := public._money_exact('amount', new.amount);
    new."usedAmount" := public._money_exact('usedAmount', new."usedAmount");
    return new;
end;
$$;

comment on function _credit_reservation_money_exact() is
'Trigger function on "CreditReservation" (before insert or update): '
'amount and usedAmount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 '
'naming the column; never rounded); stored with exactly two decimals, as the table''s '
'*_money checks require.';

create or replace trigger _money_exact
before insert or update on "CreditReservation"
for each row execute function _credit_reservation_money_exact();

create or replace function _credit_transaction_money_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of the table (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    new.amount := public._money_exact('amount', new.amount);
    return new;
end;
$$;

comment on function _credit_transaction_money_exact() is
'Trigger function on "CreditTransaction" (before insert or update): '
'amount must be finite, with at most 2 decimals and within numeric(18, 2) (else MM400 '
'naming the column; never rounded); stored with exactly two decimals, as the table''s '
'*_money checks require.';

create or replace trigger _money_exact
before insert or update on "CreditTransaction"
for each row execute function _credit_transaction_money_exact();
