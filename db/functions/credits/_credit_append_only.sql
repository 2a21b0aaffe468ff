-- The credit ledger and the reconciliation run log are append-only; the guard
-- function is the project's (_append_only_guard.sql), these are its triggers.
create or replace trigger credit_transaction_append_only
before update or delete on "CreditTransaction"
for each row execute function _append_only_guard(
    'Credits are never edited: post a compensating transaction instead.'
);

create or replace trigger credit_transaction_no_truncate
before truncate on "CreditTransaction"
for each statement execute function _append_only_guard(
    'Credits are never edited: post a compensating transaction instead.'
);

create or replace trigger credit_reconcile_runs_append_only
before update or delete on credit_reconcile_runs
for each row execute function _append_only_guard('The reconciliation run log is never edited.');

create or replace trigger credit_reconcile_runs_no_truncate
before truncate on credit_reconcile_runs
for each statement execute function _append_only_guard('The reconciliation run log is never edited.');
