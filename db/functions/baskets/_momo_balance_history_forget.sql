create or replace function _momo_balance_history_forget()
returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- A deleted parse (momo_sms_requeue undoes a run) leaves the verified history too.
    delete from momo_balance_history as h
    using deleted as d
    where h.parsed_id = d.id;
    return null;
end;
$$;

comment on function _momo_balance_history_forget() is
'Statement trigger of momo_parsed_txns: a deleted parse''s row of momo_balance_history goes with '
'it (the history has no foreign key, see V0041).';

create or replace trigger momo_parsed_txns_history_forget
after delete on momo_parsed_txns
referencing old table as deleted
for each statement execute function _momo_balance_history_forget();
