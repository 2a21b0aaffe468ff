create table profiles (
    user_id uuid primary key default gen_random_uuid(),
    whatsapp_e164 text unique check (whatsapp_e164 ~ '^\+[1-9][0-9]{7,14}$'),
    display_name text not null check (display_name <> ''),
    created_at timestamptz not null default now()
);

comment on table profiles is
'People. whatsapp_e164 is the phone number (E.164) that mobile-money payments come from; '
'the allocator resolves payers by it.';

create table ibimina (
    id uuid primary key default gen_random_uuid(),
    name text not null check (name <> ''),
    currency text not null default 'RWF' check (currency ~ '^[A-Z]{3}$'),
    created_at timestamptz not null default now()
);

comment on table ibimina is
'Savings groups (ikimina, plural ibimina) whose members contribute every month.';

create table ibimina_members (
    id uuid primary key default gen_random_uuid(),
    ikimina_id uuid not null references ibimina (id),
    user_id uuid not null references profiles (user_id),
    status text not null default 'active'
    check (status in ('active', 'inactive', 'suspended', 'left')),
    member_code text check (member_code ~ '^[A-Za-z0-9-]{2,32}$'),
    joined_at timestamptz not null default now(),
    unique (ikimina_id, user_id),
    unique (ikimina_id, member_code),
    -- lets the ledger prove a member belongs to the group it is credited in
    unique (id, ikimina_id)
);

comment on table ibimina_members is
'Membership of a person in a group. Only active members receive allocations. '
'member_code is unique per group; payers may quote it in the SMS note.';

create index ibimina_members_user_id_idx on ibimina_members (user_id);
create index ibimina_members_member_code_idx on ibimina_members (upper(member_code));
