create or replace function _momo_alloc_work_open()
returns void
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- Per-session scratch table for one batch; emptied at every commit.
    if to_regclass('pg_temp.momo_alloc_work') is null then
        create temp table momo_alloc_work (
            inbox_id bigint primary key,
            sender text,
            account text,
            direction text,
            kind text,
            format text,
            provider text,
            allocatable boolean,
            amount numeric,
            currency text,
            txn_id text,
            txn_ts timestamptz,
            txn_ts_from_sms boolean,
            sender_name text,
            msisdn_e164 text,
            msisdn_suffix text,
            sender_note text,
            balance numeric,
            fee numeric,
            confidence numeric,
            genuine boolean,
            balance_verified boolean,
            parsed_id bigint,
            outcome text,
            reason text,
            detail text,
            member_id uuid,
            ikimina_id uuid,
            group_currency text,
            matched_by text,
            suggested_member_id uuid,
            ledger_id bigint,
            -- a credit held by an earlier run, released in this one
            released_hold boolean not null default false
        ) on commit delete rows;
    else
        delete from momo_alloc_work;
    end if;
end;
$$;

comment on function _momo_alloc_work_open() is
'Creates (once per session) or empties the temp table momo_alloc_work that the allocation stages '
'share within one transaction.';
