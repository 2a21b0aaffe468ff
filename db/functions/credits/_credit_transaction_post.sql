create or replace function _credit_transaction_post()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    update public."Wallet" as w
    set balance = w.balance + case new.type when 'credit' then new.amount else -new.amount end
    where w."shopId" = new."shopId";
    return null;
end;
$$;

comment on function _credit_transaction_post() is
'Trigger function on "CreditTransaction": posts each new transaction to its wallet in the same '
'transaction, so "Wallet".balance always equals credits minus debits.';

create or replace trigger credit_transaction_post
after insert on "CreditTransaction"
for each row execute function _credit_transaction_post();
