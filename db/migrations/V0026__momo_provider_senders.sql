-- Which gateway senders may speak for a provider. A collection phone receives
-- fake "You have received" SMS from ordinary numbers like any other SMS; only
-- one sent by the operator (on MTN Rwanda phones: M-Money) can be genuine.
create table momo_provider_senders (
    provider text not null check (provider ~ '^[a-z0-9_]+$'),
    sender text not null check (btrim(sender) = sender and sender <> '' and length(sender) <= 64),
    description text not null,
    created_at timestamptz not null default now(),
    created_by text not null default session_user,
    primary key (provider, sender)
);

comment on table momo_provider_senders is
'The gateway senders (msisdn_raw) an SMS of each provider must come from to be genuine, compared '
'case-insensitively. An SMS matching a provider''s format from any other sender is never credited '
'and never claims a transaction id: it becomes a sender_not_operator case.';

create unique index momo_provider_senders_folded_idx
on momo_provider_senders (provider, lower(sender));

insert into momo_provider_senders (provider, sender, description) values
('mtn_rw', 'M-Money', 'MTN MoMo Rwanda: every mobile-money notification on the phone comes from M-Money.'),
('spec', 'M-Money', 'The Baskets spec''s sample template is MTN Rwanda''s wording, sent by the operator too.');
