-- The allocator's work row keeps a masked payer's possible members, which
-- _momo_alloc_resolve finds and _momo_alloc_cases copies to momo_unmatched.candidates.
alter type momo_alloc_work_row add attribute candidates jsonb;
