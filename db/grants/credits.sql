-- Privileges for SMS credits. Re-applied after every migration, so they never
-- drift. Default: nothing for anyone; each role gets exactly its surface.
revoke all on "Wallet", "Campaign", "CreditReservation", "CreditTransaction", credit_reconcile_runs
from public;
revoke execute on function
_credit_check_amount(numeric, text, boolean),
_credit_release_reservation(text, text, text, jsonb),
_credit_consume_reservation(text, numeric, jsonb),
_credit_settle_campaign(text, text, numeric, text),
_credit_wallet_guard(),
_credit_transaction_check(),
_credit_transaction_post(),
_credit_reservation_guard(),
_credit_reservation_audit(),
_credit_available_check(),
_credit_campaign_guard(),
_credit_campaign_settle(),
credit_top_up(text, numeric, text, jsonb),
credit_reserve(text, numeric, interval),
credit_consume(text, numeric, jsonb),
credit_release(text, text, jsonb),
credit_expire(text),
credit_reconcile()
from public;

grant usage on schema public to app_credits, app_dba, app_analyst;
grant usage on schema monitoring to app_analyst, app_dba;

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

-- Analysts and DBAs read the credit monitoring views.
grant select on
monitoring.credit_reservation_stats,
monitoring.credit_reservations_leaked,
monitoring.credit_transaction_totals,
monitoring.wallet_reconciliation
to app_analyst, app_dba;
