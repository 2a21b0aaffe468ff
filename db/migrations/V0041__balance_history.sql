-- The verified balance history in a narrow table of its own (issue 20, its
-- speed). V0039 kept verification in two columns of momo_parsed_txns: marking
-- the SMS a batch verified updated as many wide rows, each update a new row
-- version plus an entry in every index of the table (the pages are full, so
-- never HOT). That was most of what the verified chain added to a batch. A
-- verified SMS is now one short row here, inserted once.

-- Only what verification adds: which parse, how, when (the SMS's account, time,
-- movement and balance stay on its parse). No foreign key: checking one costs a
-- lookup and a row lock on the parse for every verified SMS; the rows come from the
-- walk's own reading of the parses, and a deleted parse takes its row along
-- (_momo_balance_history_forget).
create table momo_balance_history (
    parsed_id bigint primary key,
    verified_how text not null check (verified_how in ('chain', 'anchor')),
    verified_at timestamptz not null default now()
);

comment on table momo_balance_history is
'Each account''s verified balance history: one row per SMS (momo_parsed_txns) shown genuine '
'because its balance links to the SMS verified before it (verified_how chain, '
'_momo_balance_verify) or because a person confirmed it (anchor, balance_anchor_confirm). A '
'requeued SMS loses its row with its parse.';
comment on column momo_balance_history.verified_how is
'chain: linked to the verified SMS before it; anchor: confirmed by a person (audited).';
comment on column momo_balance_history.verified_at is
'When the SMS became part of its account''s verified balance history.';

insert into momo_balance_history (parsed_id, verified_how, verified_at)
select
    p.id,
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
