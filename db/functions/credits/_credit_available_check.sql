create or replace function _credit_available_check()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_balance numeric;
    v_reserved numeric;
begin
    -- The wallet lock serialises this check with every other writer of the shop
    -- (the functions hold it already), so two transactions cannot both pass on
    -- credits neither sees the other take.
    select w.balance into v_balance
    from public."Wallet" as w
    where w."shopId" = new."shopId"
    for update;
    select coalesce(sum(r.amount), 0) into v_reserved
    from public."CreditReservation" as r
    where r."shopId" = new."shopId" and r.status = 'active';
    -- A balance may go below zero by late charges only (credits a campaign used
    -- after its reservation was freed); a new reservation never fits an overdraft.
    if tg_table_name = 'Wallet' then
        select v_balance + coalesce(sum(t.amount), 0) into v_balance
        from public."CreditTransaction" as t
        where t."shopId" = new."shopId" and t."lateCharge";
    end if;
    if coalesce(v_balance, 0) - v_reserved < 0 then
        raise exception 'shop % would have % credits available (balance %, reserved %)',
            new."shopId", coalesce(v_balance, 0) - v_reserved, coalesce(v_balance, 0), v_reserved
            using errcode = 'MM402',
            hint = 'Reserve with credit_reserve(), which checks available credit under the wallet lock.';
    end if;
    return null;
end;
$$;

comment on function _credit_available_check() is
'Constraint trigger function (checked at commit): a shop''s available credit, balance minus '
'active reservations, is never below zero when reserving; a balance that drops is below zero '
'only by its late charges (campaigns charged after their reservation was freed).';

-- Constraint triggers cannot be replaced in place: drop and recreate.
drop trigger if exists credit_reservation_available_check on "CreditReservation";
create constraint trigger credit_reservation_available_check
after insert on "CreditReservation"
deferrable initially deferred
for each row when (new.status = 'active')
execute function _credit_available_check();

drop trigger if exists wallet_available_check on "Wallet";
create constraint trigger wallet_available_check
after update on "Wallet"
deferrable initially deferred
for each row when (new.balance < old.balance)
execute function _credit_available_check();
