create table audit_log (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor text not null default session_user,
    action text not null check (action <> ''),
    entity text not null,
    entity_id text,
    reason text,
    before jsonb,
    after jsonb,
    txid bigint not null default txid_current()
);

comment on table audit_log is
'Append-only trail of every manual correction, resolution, setting change and '
'operational action: who, what, when, why, and the row before and after.';

create index audit_log_entity_idx on audit_log (entity, entity_id);
create index audit_log_occurred_at_idx on audit_log (occurred_at);
