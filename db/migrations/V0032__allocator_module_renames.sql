-- The allocator moved into its own module (db/functions/allocator) and five
-- functions took names that say where they belong and how often they run.
-- The files re-applied after this migration create the new names; the old
-- ones are dropped here so none lingers. No trigger calls them directly
-- (_ledger_after_insert, re-applied after this, calls _ledger_cycle_upsert).
drop function if exists _momo_post_ledger(text);
drop function if exists _momo_balance_holds_close();
drop function if exists _momo_record_failure(bigint, text);
drop function if exists _momo_record_fault(jsonb);
drop function if exists upsert_contribution_cycle(uuid, integer, numeric);
