-- Members are now resolved for a whole batch at once by
-- _momo_resolve_members(text[], text[]); the per-row resolver called once per
-- SMS (about 0.2 ms each) is gone.
drop function if exists _momo_resolve_member(text, text);
