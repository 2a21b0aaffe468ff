create table momo_unmatched (
    id bigint generated always as identity primary key,
    inbox_id bigint not null references momo_sms_inbox (id),
    parsed_id bigint references momo_parsed_txns (id) on delete set null,
    reason text not null check (reason in (
        'low_confidence', 'profile_not_found', 'membership_not_found',
        'membership_ambiguous', 'member_code_ambiguous', 'amount_unavailable',
        'txn_id_missing', 'payer_unknown', 'currency_mismatch', 'dead_letter'
    )),
    detail text,
    suggested_member_id uuid references ibimina_members (id),
    status text not null default 'open' check (status in ('open', 'resolved')),
    created_at timestamptz not null default now(),
    resolved_at timestamptz,
    resolved_by text,
    resolution text check (resolution in ('allocated', 'dismissed', 'requeued')),
    resolution_note text,
    ledger_id bigint references contributions_ledger (id),
    constraint momo_unmatched_resolution_complete check (
        (status = 'open' and resolved_at is null and resolution is null)
        or (
            status = 'resolved' and resolved_at is not null and resolution is not null
            and resolved_by is not null and resolution_note is not null
        )
    ),
    constraint momo_unmatched_allocation_has_ledger
    check ((resolution = 'allocated') = (ledger_id is not null))
);

comment on table momo_unmatched is
'SMS the allocator could not allocate safely, for a person to resolve. reason says why; '
'suggested_member_id is only a hint (masked number + name), never an allocation.';

-- One open case per SMS.
create unique index momo_unmatched_open_inbox_idx on momo_unmatched (inbox_id)
where status = 'open';
create index momo_unmatched_open_idx on momo_unmatched (created_at) where status = 'open';
create index momo_unmatched_parsed_idx on momo_unmatched (parsed_id);
