-- Pause means stop: switching the pg_cron job off only stopped new runs, while
-- a running drain, its assist and the HTTP trigger went on allocating. The
-- pause is now a row every allocation reads before it claims a batch.
create table momo_allocator_control (
    singleton boolean primary key default true check (singleton),
    paused boolean not null,
    changed_at timestamptz not null default now(),
    changed_by text not null default session_user,
    reason text not null check (btrim(reason) <> '')
);

comment on table momo_allocator_control is
'Whether the allocator is paused (at most one row; no row = running). Written only by '
'momo_allocator_pause() and momo_allocator_resume(); momo_allocate() refuses (MM409) while '
'paused, so running drains, assists and the HTTP trigger stop before their next batch.';

-- A fault of the whole system (deadlock, lock or statement timeout, full disk,
-- a missing function after a bad deploy, ...) is not a poison row: it is
-- recorded here, the batch is left for a later run, and no row is charged.
create table momo_allocator_faults (
    id bigint generated always as identity primary key,
    sqlstate text not null check (sqlstate ~ '^[0-9A-Z]{5}$'),
    message text not null,
    first_at timestamptz not null default now(),
    last_at timestamptz not null default now(),
    occurrences integer not null default 1 check (occurrences >= 1),
    cleared_at timestamptz,
    check (last_at >= first_at and (cleared_at is null or cleared_at >= last_at))
);

comment on table momo_allocator_faults is
'Periods in which the allocator failed as a whole (an error that says nothing about one SMS): '
'sqlstate and message of the latest failure, first and last time, how many batches failed. '
'cleared_at is set by the next batch that runs without such an error. At most one open row.';

create unique index momo_allocator_faults_open_idx on momo_allocator_faults ((true))
where cleared_at is null;
