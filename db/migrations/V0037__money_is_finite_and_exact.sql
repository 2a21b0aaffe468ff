-- Money columns hold finite amounts of at most two decimals, by constraint.
-- numeric(18, 2) rounded 10.005 to 10.01 silently and accepted 'NaN' (a NaN in
-- the append-only ledger could never be repaired). The columns become plain
-- numeric, so nothing is rounded on the way in: a before trigger per table
-- (db/functions/common/_money_columns_exact.sql) refuses NaN, infinities, a third
-- decimal and anything outside numeric(18, 2)'s range with MM400 and stores the
-- amount with exactly two decimals (60 -> 60.00, as numeric(18, 2) showed it);
-- one check per column holds the same (at most 2 decimals, finite, |x| < 1e16)
-- even with the triggers off. The functions refuse bad amounts with MM400 before
-- (_require_money).

-- Views and triggers (when clauses, update of) read these columns, so a column's
-- type cannot change under them: drop every view and every trigger that names a
-- column of these tables; db/views and db/functions re-create them all right after
-- this migration (afterAll).
do $$
declare
    v_view record;
    v_trigger record;
begin
    for v_trigger in
        select distinct t.tgname, t.tgrelid::regclass as relation
        from pg_catalog.pg_trigger as t
        join pg_catalog.pg_depend as d
            on
                d.classid = 'pg_catalog.pg_trigger'::regclass
                and d.objid = t.oid
                and d.refobjsubid > 0
        where d.refobjid in (
            'contributions_ledger'::regclass, 'contribution_cycles'::regclass, '"Wallet"'::regclass,
            '"Campaign"'::regclass, '"CreditReservation"'::regclass, '"CreditTransaction"'::regclass
        )
    loop
        execute format('drop trigger %I on %s', v_trigger.tgname, v_trigger.relation);
    end loop;
    for v_view in
        select n.nspname, c.relname
        from pg_catalog.pg_class as c
        join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
        where c.relkind = 'v' and n.nspname in ('public', 'monitoring')
    loop
        execute format('drop view if exists %I.%I cascade', v_view.nspname, v_view.relname);
    end loop;
end
$$;

alter table contributions_ledger
alter column amount type numeric,
add constraint contributions_ledger_amount_money
check (amount <> 'NaN' and amount > -1e16 and amount < 1e16 and amount = round(amount, 2));

alter table contribution_cycles
alter column expected_amount type numeric,
alter column expected_amount set default 0.00,
alter column collected_amount type numeric,
alter column collected_amount set default 0.00,
add constraint contribution_cycles_expected_amount_money check (
    expected_amount <> 'NaN' and expected_amount > -1e16 and expected_amount < 1e16
    and expected_amount = round(expected_amount, 2)
),
add constraint contribution_cycles_collected_amount_money check (
    collected_amount <> 'NaN' and collected_amount > -1e16 and collected_amount < 1e16
    and collected_amount = round(collected_amount, 2)
);

alter table "Wallet"
alter column balance type numeric,
alter column balance set default 0.00,
add constraint wallet_balance_money
check (balance <> 'NaN' and balance > -1e16 and balance < 1e16 and balance = round(balance, 2));

alter table "Campaign"
alter column "creditsUsed" type numeric,
add constraint campaign_credits_used_money check (
    "creditsUsed" <> 'NaN' and "creditsUsed" > -1e16 and "creditsUsed" < 1e16
    and "creditsUsed" = round("creditsUsed", 2)
);

alter table "CreditReservation"
alter column amount type numeric,
alter column "usedAmount" type numeric,
add constraint credit_reservation_amount_money
check (amount <> 'NaN' and amount > -1e16 and amount < 1e16 and amount = round(amount, 2)),
add constraint credit_reservation_used_amount_money
check (
    "usedAmount" <> 'NaN' and "usedAmount" > -1e16 and "usedAmount" < 1e16
    and "usedAmount" = round("usedAmount", 2)
);

alter table "CreditTransaction"
alter column amount type numeric,
add constraint credit_transaction_amount_money
check (amount <> 'NaN' and amount > -1e16 and amount < 1e16 and amount = round(amount, 2));

-- Settings that are amounts get their own type: a plain decimal of at most two
-- places, positive, within numeric(18, 2) (no NaN, no Infinity, no exponent).
alter table app_settings drop constraint app_settings_value_type_check;
alter table app_settings add constraint app_settings_value_type_check
check (value_type in ('integer', 'numeric', 'amount', 'boolean', 'text', 'timezone', 'interval'));
alter table app_settings add constraint app_settings_amount_money check (
    value_type <> 'amount'
    or (value ~ '^[0-9]{1,16}(\.[0-9]{1,2})?$' and value !~ '^0+(\.0*)?$')
);
update app_settings set value_type = 'amount' where key = 'MOMO_ALLOCATOR_MAX_AMOUNT';

-- The credit functions check amounts with the shared _require_money now.
drop function if exists _credit_check_amount(numeric, text, boolean);
