-- Privileges for SMS credits (db/functions/credits, db/views/credits). Applied
-- after reset.sql and common.sql (which also grants select on the credit
-- monitoring views to analysts and DBAs): each role gets exactly its surface.

-- Credits service: the wallet functions. It also runs campaigns: creating one
-- and moving its status (the status trigger settles the reservation).
grant execute on function
credit_top_up(text, numeric, text, jsonb),
credit_reserve(text, numeric, interval),
credit_consume(text, numeric, jsonb),
credit_release(text, text, jsonb),
credit_expire(text)
to app_credits;
grant select, insert on "Campaign" to app_credits;
grant update (name, status, "creditsUsed") on "Campaign" to app_credits;

-- DBAs: read everything the credit runbook queries; change reservations only
-- as its Option B does (the guard and audit triggers keep that consistent and
-- audited) or through the functions.
grant select on "Wallet", "Campaign", "CreditReservation", "CreditTransaction", credit_reconcile_runs
to app_dba;
grant update (status, "releasedAt", meta) on "CreditReservation" to app_dba;
grant execute on function
credit_release(text, text, jsonb),
credit_expire(text),
credit_reconcile()
to app_dba;
