-- A payment credited to the wrong member must be creditable to the right one,
-- yet one transaction id must never count twice at the same time. The unique
-- txn_id allowed one credit per payment for ever (so no re-credit after a
-- reversal); it becomes unique per generation, and constraints chain the
-- generations:
--
--   * a credit carries (txn_id, txn_generation), unique together; the first
--     credit of a payment is generation 1;
--   * a correction carries the txn id and generation of the credit it
--     reverses (reversed_txn_id, txn_generation), checked by a foreign key to
--     that credit; reverses_id is unique, so a credit is reversed at most once;
--   * a credit of generation g > 1 names the correction that reversed
--     generation g - 1 of the same txn id (recredits_id, a foreign key on
--     (id, reversed_txn_id, txn_generation) through previous_generation);
--     recredits_id is unique.
--
-- So the credits of one txn id are generations 1..n, and every generation
-- below n has been reversed: at most one (the newest) can be live, however
-- many corrections happen, whoever writes the rows. Rows are only ever added,
-- never edited (no pointer on a credit is set afterwards).

alter table contributions_ledger drop constraint contributions_ledger_txn_id_key;

alter table contributions_ledger
add column txn_generation integer not null default 1 check (txn_generation >= 1),
add column reversed_txn_id text,
add column recredits_id bigint unique references contributions_ledger (id),
add column previous_generation integer generated always as (txn_generation - 1) stored;

comment on column contributions_ledger.txn_generation is
'Credits: 1 for the first credit of a payment, g + 1 for the credit that follows the reversal of '
'generation g (ledger_recredit, ledger_reallocate). Corrections: the generation they reverse.';
comment on column contributions_ledger.reversed_txn_id is
'Corrections only: the txn_id of the credit they reverse (null when it had none).';
comment on column contributions_ledger.recredits_id is
'Credits of generation > 1 only: the correction that reversed the previous generation, i.e. the '
'mistake this credit corrects.';
comment on column contributions_ledger.previous_generation is
'txn_generation - 1, for the foreign key from a re-credit to the reversal of the previous generation.';

-- Existing corrections name what they reversed (every existing credit is generation 1).
-- A new column is filled once here; no ledger amount or link changes.
set local session_replication_role = replica;
update contributions_ledger as c
set reversed_txn_id = o.txn_id
from contributions_ledger as o
where c.reverses_id = o.id and o.txn_id is not null;
reset session_replication_role;

alter table contributions_ledger
add constraint contributions_ledger_txn_generation_key unique (txn_id, txn_generation),
add constraint contributions_ledger_credit_generation_key unique (id, txn_id, txn_generation),
add constraint contributions_ledger_reversal_generation_key
unique (id, reversed_txn_id, txn_generation),
add constraint contributions_ledger_reversal_names_its_credit
foreign key (reverses_id, reversed_txn_id, txn_generation)
references contributions_ledger (id, txn_id, txn_generation),
add constraint contributions_ledger_recredit_follows_reversal
foreign key (recredits_id, txn_id, previous_generation)
references contributions_ledger (id, reversed_txn_id, txn_generation),
add constraint contributions_ledger_reversed_txn_on_corrections
check (source = 'correction' or reversed_txn_id is null),
add constraint contributions_ledger_recredit_link check (
    case
        when source = 'correction' then recredits_id is null
        else (txn_generation > 1) = (recredits_id is not null)
    end
);

comment on table contributions_ledger is
'Append-only ledger of contributions. Each allocated payment is a credit row; a mistake is undone '
'by a correction row (negative, reverses_id = the original), never by an edit. A reversed payment '
'can be credited again as the next txn_generation (recredits_id = the reversal); constraints keep '
'at most one live (unreversed) credit per txn_id.';
