create or replace function _momo_balance_history_check()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_bad record;
begin
    -- Once per statement, over the rows it wrote: each is its parse's own (a copy
    -- that cannot drift) of a genuine, balance-stating SMS within the time window.
    select c.parsed_id, p.id is null as no_parse into v_bad
    from changed as c
    left join momo_parsed_txns as p on c.parsed_id = p.id
    where
        p.id is null or p.sms_time_ok is false
        or (p.inbox_id, p.account, p.txn_ts, p.movement, p.balance)
        is distinct from (c.inbox_id, c.account, c.txn_ts, c.movement, c.balance)
    limit 1;
    if found then
        raise exception 'parse % cannot be in the verified balance history as written', v_bad.parsed_id
            using errcode = 'MM409',
            hint = 'Only a genuine SMS that states a balance, within MOMO_BALANCE_TIME_WINDOW, is '
            'verified, with its own account, time, movement and balance (momo_parsed_txns).';
    end if;
    return null;
end;
$$;

comment on function _momo_balance_history_check() is
'Statement trigger of momo_balance_history: every row written is a genuine, balance-stating SMS '
'within the time window, with its parse''s own inbox_id, account, txn_ts, movement and balance '
'(MM409 otherwise).';

create or replace trigger momo_balance_history_insert_check
after insert on momo_balance_history
referencing new table as changed
for each statement execute function _momo_balance_history_check();

create or replace trigger momo_balance_history_update_check
after update on momo_balance_history
referencing new table as changed
for each statement execute function _momo_balance_history_check();
