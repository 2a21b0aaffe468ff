create or replace view monitoring.allocator_faults as
select
    f.id,
    f.cleared_at is null as open,
    f.sqlstate,
    f.message,
    f.first_at,
    f.last_at,
    f.occurrences,
    f.cleared_at
from public.momo_allocator_faults as f
order by f.id desc;

comment on view monitoring.allocator_faults is
'Periods in which the allocator failed as a whole (deadlock, lock or statement timeout, '
'cancel, out of memory or disk, missing privilege or function after a deploy: errors of the '
'system, not of one SMS), newest first. id: the fault period. open: not yet followed by a batch without such an error. '
'sqlstate, message: the latest error; first_at, last_at, occurrences (failed batches); '
'cleared_at: when a batch ran again. No SMS is charged an attempt for these.';
