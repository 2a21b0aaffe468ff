-- The allocation summary (type momo_allocation_summary): made, added up, counted
-- from the work table and turned into the jsonb callers read, here only.

create or replace function _momo_summary(
    p_processed integer default 0,
    p_errors jsonb default '[]',
    p_fault jsonb default null
)
returns momo_allocation_summary
language sql
immutable
set search_path = pg_catalog, public, pg_temp
as $$
    select row(p_processed, 0, 0, 0, 0, 0, p_errors, p_fault)::public.momo_allocation_summary;
$$;

comment on function _momo_summary(integer, jsonb, jsonb) is
'A summary in which nothing was allocated, unmatched, duplicate, skipped or held: an empty batch '
'(no arguments), SMS that failed alone (p_processed, p_errors) or a fault of the whole system (p_fault).';

create or replace function _momo_summary_add(
    p_left momo_allocation_summary,
    p_right momo_allocation_summary
)
returns momo_allocation_summary
language sql
immutable
set search_path = pg_catalog, public, pg_temp
as $$
    select row(
        p_left.processed + p_right.processed,
        p_left.allocated + p_right.allocated,
        p_left.unmatched + p_right.unmatched,
        p_left.duplicates + p_right.duplicates,
        p_left.skipped + p_right.skipped,
        p_left.held + p_right.held,
        p_left.errors || p_right.errors,
        -- a left half with a fault is not added to: it is returned alone
        p_right.fault
    )::public.momo_allocation_summary;
$$;

comment on function _momo_summary_add(momo_allocation_summary, momo_allocation_summary) is
'The summary of two halves of a batch run one after the other: counts and errors added, the fault '
'(if any) of the second half.';

create or replace function _momo_summary_of_work()
returns momo_allocation_summary
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    -- The only place where inbox outcomes become summary keys.
    select row(
        count(*),
        count(*) filter (where w.outcome = 'allocated'),
        count(*) filter (where w.outcome = 'unmatched'),
        count(*) filter (where w.outcome = 'duplicate'),  -- the key is "duplicates"
        count(*) filter (where w.outcome = 'skipped'),
        count(*) filter (where w.outcome = 'held'),
        '[]'::jsonb,
        null::jsonb
    )::public.momo_allocation_summary
    from pg_temp.momo_alloc_work as w
    -- credits held by earlier runs, posted with this batch, were counted by their own
    where not w.released_hold;
$$;

comment on function _momo_summary_of_work() is
'Allocation stage, last: the summary of the batch in momo_alloc_work, one count per inbox outcome '
'(outcome duplicate counts as duplicates); released holds of earlier runs do not count.';

create or replace function _momo_summary_jsonb(p_summary momo_allocation_summary)
returns jsonb
language sql
immutable
set search_path = pg_catalog, public, pg_temp
as $$
    select case
        when p_summary.fault is null then to_jsonb(p_summary) - 'fault'
        else to_jsonb(p_summary)
    end;
$$;

comment on function _momo_summary_jsonb(momo_allocation_summary) is
'The summary as momo_allocate() returns it: {"processed","allocated","unmatched","duplicates",'
'"skipped","held","errors"}, and "fault" {"sqlstate","message"} only when the whole batch failed.';
