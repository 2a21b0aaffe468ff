-- SMS credits: wallets, campaigns, reservations and the credit ledger.
-- The quoted camelCase names are the ones the credit reconciliation runbook
-- queries (operators paste its SQL verbatim), so they are kept as they are.
-- The rules that tie them together live in db/functions/_credit_*.sql:
--   * "Wallet".balance changes only when a "CreditTransaction" is posted, so
--     balance = total credited - total debited;
--   * available = balance - active reservations never goes below zero;
--   * a reservation leaves 'active' once, and every change is audited.

create table "Wallet" (
    "shopId" text primary key check ("shopId" ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
    balance numeric(18, 2) not null default 0 check (balance >= 0),
    "createdAt" timestamptz not null default now(),
    "updatedAt" timestamptz not null default now()
);

comment on table "Wallet" is
'A shop''s SMS credits. balance is what the shop owns: it changes only by posting a '
'"CreditTransaction" (credit_top_up, credit_consume), so it always equals credits minus debits. '
'Available credit is balance minus the shop''s active reservations (monitoring.wallet_reconciliation).';

create table "Campaign" (
    id text primary key check (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
    "shopId" text not null check ("shopId" ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
    name text not null check (name <> '' and length(name) <= 200),
    status text not null default 'draft'
    check (status in ('draft', 'scheduled', 'sending', 'sent', 'failed')),
    "creditsUsed" numeric(18, 2) check ("creditsUsed" >= 0),
    "createdAt" timestamptz not null default now(),
    "updatedAt" timestamptz not null default now(),
    -- lets a reservation prove it belongs to its campaign's shop
    unique (id, "shopId")
);

comment on table "Campaign" is
'An SMS campaign of a shop. sent and failed are final: the status change settles the campaign''s '
'credit reservation in the same transaction (consumes "creditsUsed" when known, else releases it).';

comment on column "Campaign"."creditsUsed" is
'Credits the campaign actually used, when the sender reports it with the final status; the '
'status change then consumes this much of the reservation and releases the rest.';

create table "CreditReservation" (
    id text primary key default ('res_' || replace(gen_random_uuid()::text, '-', ''))
    check (id ~ '^res_[0-9a-f]{32}$'),
    "shopId" text not null references "Wallet" ("shopId"),
    "campaignId" text not null,
    amount numeric(18, 2) not null check (amount > 0),
    status text not null default 'active'
    check (status in ('active', 'released', 'expired', 'consumed')),
    "usedAmount" numeric(18, 2) check ("usedAmount" >= 0 and "usedAmount" <= amount),
    "createdAt" timestamptz not null default now(),
    "expiresAt" timestamptz not null,
    "releasedAt" timestamptz,
    meta jsonb not null default '{}' check (jsonb_typeof(meta) = 'object'),
    "createdBy" text not null default session_user,
    foreign key ("campaignId", "shopId") references "Campaign" (id, "shopId"),
    -- lets a debit prove it belongs to its reservation's shop
    unique (id, "shopId"),
    constraint credit_reservation_expiry check ("expiresAt" > "createdAt"),
    constraint credit_reservation_settled check ((status = 'active') = ("releasedAt" is null)),
    constraint credit_reservation_used check ((status = 'consumed') = ("usedAmount" is not null))
);

comment on table "CreditReservation" is
'Credits held for one campaign while it sends. active until consumed (used part debited, rest '
'freed), released (meta.releaseReason says why) or expired; "releasedAt" is when it stopped '
'holding credits. Never deleted; each status change is in audit_log.';

-- At most one active reservation per campaign.
create unique index credit_reservation_active_campaign_idx on "CreditReservation" ("campaignId")
where status = 'active';
-- Available credit: the active reservations of one shop.
create index credit_reservation_active_shop_idx on "CreditReservation" ("shopId") include (amount)
where status = 'active';
-- The reconciliation job's expiry scan.
create index credit_reservation_active_expires_idx on "CreditReservation" ("expiresAt")
where status = 'active';
create index credit_reservation_campaign_idx on "CreditReservation" ("campaignId", "createdAt");

create table "CreditTransaction" (
    id text primary key default ('ctx_' || replace(gen_random_uuid()::text, '-', ''))
    check (id ~ '^ctx_[0-9a-f]{32}$'),
    "shopId" text not null references "Wallet" ("shopId"),
    type text not null check (type in ('credit', 'debit')),
    amount numeric(18, 2) not null check (amount > 0),
    "reservationId" text unique,
    reference text unique check (reference <> '' and length(reference) <= 128),
    meta jsonb not null default '{}' check (jsonb_typeof(meta) = 'object'),
    "createdAt" timestamptz not null default now(),
    "createdBy" text not null default session_user,
    foreign key ("reservationId", "shopId") references "CreditReservation" (id, "shopId"),
    -- a credit is a top-up with its payment reference; a debit charges one reservation
    constraint credit_transaction_kind check (
        (type = 'credit' and reference is not null and "reservationId" is null)
        or (type = 'debit' and "reservationId" is not null and reference is null)
    )
);

comment on table "CreditTransaction" is
'Append-only ledger of SMS credits: credit = top-up (reference = the payment, unique), '
'debit = credits a campaign used (one per reservation). Wallet balances are its running sum.';

create index credit_transaction_shop_idx on "CreditTransaction" ("shopId", type) include (amount);

create table credit_reconcile_runs (
    id bigint generated always as identity primary key,
    started_at timestamptz not null,
    finished_at timestamptz not null default clock_timestamp(),
    run_by text not null default session_user,
    released integer not null check (released >= 0),
    consumed integer not null check (consumed >= 0),
    expired integer not null check (expired >= 0),
    errors integer not null check (errors >= 0),
    summary jsonb not null
);

comment on table credit_reconcile_runs is
'One row per credit_reconcile() run (the credits-reconcile pg_cron job every 10 minutes): how many '
'leaked reservations it released or consumed (final campaigns), expired, and failed to settle; '
'summary is the jsonb it returned. The reservations it changed are in audit_log.';

create index credit_reconcile_runs_started_at_idx on credit_reconcile_runs (started_at);
