-- The money tables' columns: every amount finite, exact and stored with two decimals.
-- Each trigger is named _money_exact: before triggers fire in name order, so the
-- amount is checked before any other trigger reads it.

create or replace function _money_columns_exact()
returns trigger
language plpgsql
-- Security definer: it runs for every writer of these tables (app_credits, app_dba, ...)
-- and only checks and normalises the row it is given.
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    case tg_table_name
        when 'contributions_ledger' then
            new.amount := public._money_exact('amount', new.amount);
        when 'contribution_cycles' then
            new.expected_amount := public._money_exact('expected_amount', new.expected_amount);
            new.collected_amount := public._money_exact('collected_amount', new.collected_amount);
        when 'Wallet' then
            new.balance := public._money_exact('balance', new.balance);
        when 'Campaign' then
            new."creditsUsed" := public._money_exact('creditsUsed', new."creditsUsed");
        when 'CreditReservation' then
            new.amount := public._money_exact('amount', new.amount);
            new."usedAmount" := public._money_exact('usedAmount', new."usedAmount");
        when 'CreditTransaction' then
            new.amount := public._money_exact('amount', new.amount);
    end case;
    return new;
end;
$$;

comment on function _money_columns_exact() is
'Trigger function (before insert or update) on the money tables: refuses NaN, infinities, more '
'than 2 decimals and amounts beyond numeric(18, 2) with MM400 naming the column (never rounds), '
'and stores each amount with exactly two decimals. The tables'' *_money checks hold the same.';

create or replace trigger _money_exact
before insert or update on contributions_ledger
for each row execute function _money_columns_exact();

create or replace trigger _money_exact
before insert or update on contribution_cycles
for each row execute function _money_columns_exact();

create or replace trigger _money_exact
before insert or update on "Wallet"
for each row execute function _money_columns_exact();

create or replace trigger _money_exact
before insert or update on "Campaign"
for each row execute function _money_columns_exact();

create or replace trigger _money_exact
before insert or update on "CreditReservation"
for each row execute function _money_columns_exact();

create or replace trigger _money_exact
before insert or update on "CreditTransaction"
for each row execute function _money_columns_exact();
