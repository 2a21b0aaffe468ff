-- Privileges for operations (db/functions/operations, db/views/operations):
-- the DBA correction functions and what the monitoring views call. Applied
-- after reset.sql and common.sql.

-- DBAs correct data only through these audited functions.
grant execute on function ledger_reverse(bigint, text) to app_dba;
grant execute on function ledger_recredit(bigint, uuid, text) to app_dba;
grant execute on function ledger_reallocate(bigint, uuid, text) to app_dba;
grant execute on function unmatched_resolve(bigint, text, uuid, numeric, boolean) to app_dba;
grant execute on function momo_sms_requeue(bigint, text) to app_dba;
grant execute on function balance_anchor_confirm(bigint, text) to app_dba;
grant execute on function cycle_adjust(uuid, integer, numeric, text, text) to app_dba;

-- The cron views call this security definer function as the reader (pg_cron's
-- tables are visible to their owner only).
grant execute on function _monitoring_cron_jobs() to app_analyst, app_dba;

-- One phone, one account: a DBA carries an old account name over to the phone's number.
grant execute on function account_relabel(text, text, text) to app_dba;

-- DBAs tie receiving accounts to groups and forget remembered payers (audited),
-- and read both lists.
grant execute on function collection_account_add(uuid, text, text) to app_dba;
grant execute on function collection_account_remove(text, text) to app_dba;
grant execute on function remembered_payer_forget(bigint, text) to app_dba;
grant select on collection_accounts, remembered_payers, remembered_payers_list to app_dba;
