create table contribution_cycles (
    ikimina_id uuid not null references ibimina (id),
    yyyymm integer not null check (yyyymm between 200001 and 999912 and yyyymm % 100 between 1 and 12),
    expected_amount numeric(18, 2) not null default 0 check (expected_amount >= 0),
    collected_amount numeric(18, 2) not null default 0,
    status text not null default 'open' check (status in ('open', 'closed')),
    updated_at timestamptz not null default now(),
    primary key (ikimina_id, yyyymm)
);

comment on table contribution_cycles is
'A group''s monthly contribution cycle. collected_amount always equals the sum of its '
'ledger entries: only the ledger''s insert trigger changes it. A closed cycle stays closed '
'when late payments arrive.';

create table contributions_ledger (
    id bigint generated always as identity primary key,
    ikimina_id uuid not null references ibimina (id),
    member_id uuid not null,
    amount numeric(18, 2) not null,
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    cycle_yyyymm integer not null
    check (cycle_yyyymm between 200001 and 999912 and cycle_yyyymm % 100 between 1 and 12),
    txn_id text unique,
    allocated_at timestamptz not null default now(),
    source text not null check (source in ('sms', 'manual', 'correction')),
    meta jsonb not null default '{}',
    inbox_id bigint references momo_sms_inbox (id),
    parsed_id bigint references momo_parsed_txns (id),
    reverses_id bigint unique references contributions_ledger (id),
    created_by text not null default session_user,
    foreign key (member_id, ikimina_id) references ibimina_members (id, ikimina_id),
    constraint contributions_ledger_correction_link
    check ((source = 'correction') = (reverses_id is not null)),
    constraint contributions_ledger_amount_sign
    check (case when source = 'correction' then amount < 0 else amount > 0 end),
    constraint contributions_ledger_sms_refs
    check (source <> 'sms' or (inbox_id is not null and parsed_id is not null)),
    constraint contributions_ledger_correction_has_no_txn
    check (source <> 'correction' or txn_id is null)
);

comment on table contributions_ledger is
'Append-only ledger of contributions. Each allocated payment is one row (txn_id unique); '
'a mistake is undone by a correction row (negative, reverses_id = the original), never by an edit.';

create index contributions_ledger_member_idx on contributions_ledger (member_id);
create index contributions_ledger_cycle_idx on contributions_ledger (ikimina_id, cycle_yyyymm);
create index contributions_ledger_parsed_idx on contributions_ledger (parsed_id);
create index contributions_ledger_inbox_idx on contributions_ledger (inbox_id);
create index contributions_ledger_allocated_at_idx on contributions_ledger (allocated_at);
