-- The contributions ledger is append-only; the guard function is the project's
-- (common/_append_only_guard.sql), these are its triggers (as credits keeps its
-- own in credits/_credit_append_only.sql).
create or replace trigger contributions_ledger_append_only
before update or delete on contributions_ledger
for each row execute function _append_only_guard('Use ledger_reverse() to post a correction.');

create or replace trigger contributions_ledger_no_truncate
before truncate on contributions_ledger
for each statement execute function _append_only_guard('Use ledger_reverse() to post a correction.');
