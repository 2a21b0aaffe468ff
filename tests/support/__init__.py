"""What the tests share: builders, queries and readers, one meaning per name.

Fixtures (`admin`, `connect_as`, `make_app`, `client`, ...) live in tests/conftest.py;
everything else the test modules share lives here, and no test module imports another.

- `database`: the reset between tests and the query helpers every module uses
  (`scalar`, `one_row`, `rows`, `raises_sqlstate`).
- `locks`: waiting until a session blocks on another's lock, from `pg_locks`
  (`waits_for_commit`, `wait_until_blocking`, `wait_until_blocked`), never a sleep.
- `allocation`: SMS in the MTN format, groups and members, ingest and allocate.
- `mtn_sms`: the documented MTN SMS examples and the fields each parses to.
- `operations`: the operations scenario (a paid and an unmatched SMS), crafted
  cases, and refusals that must change nothing.
- `credits`: the SMS-credit functions called as their service, the ledger invariants.
- `gateways`, `ingest`: gateway requests signed each gateway's way, the inbox they change,
  the hook's one JSON error shape (`assert_error`).
- `runbook`: the one reader of the runbooks' fenced code blocks.
"""
