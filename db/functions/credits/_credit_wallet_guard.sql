create or replace function _credit_wallet_guard()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    if tg_op = 'DELETE' then
        raise exception 'wallet % cannot be deleted', old."shopId"
            using errcode = 'MM409', hint = 'Its credit transactions are the ledger of record.';
    end if;
    if tg_op = 'INSERT' then
        if new.balance <> 0 then
            raise exception 'wallet % must start with balance 0, got %', new."shopId", new.balance
                using errcode = 'MM409', hint = 'Credit it with credit_top_up().';
        end if;
        return new;
    end if;
    if new."shopId" <> old."shopId" then
        raise exception 'wallet % cannot be renamed', old."shopId" using errcode = 'MM409';
    end if;
    -- Only _credit_transaction_post (a trigger, so depth 2 here) moves a balance.
    if new.balance <> old.balance and pg_trigger_depth() < 2 then
        raise exception 'wallet % balance is the sum of its credit transactions and cannot be set',
            old."shopId"
            using errcode = 'MM409',
            hint = 'Post a transaction: credit_top_up() adds credits, credit_consume() debits them.';
    end if;
    new."updatedAt" := now();
    return new;
end;
$$;

comment on function _credit_wallet_guard() is
'Trigger function on "Wallet": a wallet starts empty, is never deleted or renamed, and its '
'balance moves only when a "CreditTransaction" is posted.';

create or replace trigger wallet_guard
before insert or update or delete on "Wallet"
for each row execute function _credit_wallet_guard();
