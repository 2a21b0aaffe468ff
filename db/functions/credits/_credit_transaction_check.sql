create or replace function _credit_transaction_check()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_reservation public."CreditReservation";
begin
    if new."lateCharge" then
        -- Credits used after the reservation stopped holding them: charged in full.
        select * into v_reservation
        from public."CreditReservation" as r
        where r.id = new."reservationId";
        if not found or v_reservation.status not in ('released', 'expired') then
            raise exception 'a late charge must charge a released or expired reservation; % is %',
                new."reservationId", coalesce(v_reservation.status, 'unknown')
                using errcode = 'MM409', hint = 'Late charges are posted when a campaign finishes.';
        end if;
    elsif new.type = 'debit' and new."reservationId" is not null then
        select * into v_reservation
        from public."CreditReservation" as r
        where r.id = new."reservationId";
        if not found or v_reservation.status <> 'active' then
            raise exception 'a debit must charge an active reservation; % is %', new."reservationId",
                coalesce(v_reservation.status, 'unknown')
                using errcode = 'MM409', hint = 'Debits are posted by credit_consume().';
        end if;
        if new.amount > v_reservation.amount then
            raise exception 'debit of % exceeds reservation % of %', new.amount, v_reservation.id,
                v_reservation.amount
                using errcode = 'MM409';
        end if;
    end if;
    new."createdAt" := now();
    return new;
end;
$$;

comment on function _credit_transaction_check() is
'Trigger function on "CreditTransaction": a debit charges at most the amount of an active '
'reservation of the same shop (the foreign key checks the shop); a late charge charges a '
'released or expired one.';

create or replace trigger credit_transaction_check
before insert on "CreditTransaction"
for each row execute function _credit_transaction_check();
