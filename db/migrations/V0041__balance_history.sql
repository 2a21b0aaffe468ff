-- The verified balance history in a narrow table of its own (issue 20, its
-- speed). V0039 kept verification in two columns of momo_parsed_txns: marking
-- the SMS a batch verified updated as many wide rows, each update a new row
-- version plus an entry in every index of the table (the pages are full, so
-- never HOT). That was most of what the verified chain added to a batch. A
-- verified SMS is now one short row here, inserted once: the walk starts from
-- and looks ahead to verified SMS through this table's own index.

-- No foreign key: checking one costs a lookup and a row lock on the parse for
-- every verified SMS. Its triggers keep the rows to their parses instead
-- (_momo_balance_history_check on every write, _momo_balance_history_forget when a
-- parse is deleted).
create table momo_balance_history (
    parsed_id bigint primary key,
    inbox_id bigint not null,
    account text not null,
    txn_ts timestamptz not null,
    movement numeric not null,
    balance numeric(18, 2) not null check (balance >= 0),
    verified_how text not null check (verified_how in ('chain', 'anchor')),
    verified_at timestamptz not null default now()
);

create index momo_balance_history_account_idx
on momo_balance_history (account, txn_ts, parsed_id);

comment on table momo_balance_history is
'Each account''s verified balance history: one row per SMS shown genuine because its balance '
'links to the SMS verified before it (verified_how chain, _momo_balance_verify) or because a '
'person confirmed it (anchor, balance_anchor_confirm). inbox_id, account, txn_ts, movement and '
'balance are the parse''s own (momo_parsed_txns, checked on every write); verified_at is when it '
'became verified. A requeued SMS loses its row with its parse.';
comment on column momo_balance_history.verified_how is
'chain: linked to the verified SMS before it; anchor: confirmed by a person (audited).';
comment on column momo_balance_history.verified_at is
'When the SMS became part of its account''s verified balance history.';

insert into momo_balance_history (
    parsed_id, inbox_id, account, txn_ts, movement, balance, verified_how, verified_at
)
select
    p.id,
    p.inbox_id,
    p.account,
    p.txn_ts,
    p.movement,
    p.balance,
    p.verified_how,
    p.verified_at
from momo_parsed_txns as p
where p.verified_at is not null
order by p.id;

-- The view reads the columns that go; the files re-create it (and the views that
-- read it) after the migrations. The anchor function returns the new row type.
drop view if exists monitoring.suspected_forgeries cascade;
drop function if exists balance_anchor_confirm(bigint, text);

alter table momo_parsed_txns
drop constraint momo_parsed_txns_verified_complete,
drop constraint momo_parsed_txns_verified_needs_balance,
drop column verified_at,
drop column verified_how;
