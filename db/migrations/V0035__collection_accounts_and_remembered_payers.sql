-- Real MTN "You have received" SMS mask the payer's number but for its last
-- digits and rarely carry a note, so a payer is known by the name the SIM was
-- registered under and those digits, within the group whose phone received the
-- money. For that the project must know which group a receiving account
-- collects for, and remember the payers a treasurer recognised once.

create table collection_accounts (
    account text primary key check (btrim(account) <> '' and length(account) <= 128),
    ikimina_id uuid not null references ibimina (id),
    added_at timestamptz not null default now(),
    added_by text not null default session_user
);

comment on table collection_accounts is
'Receiving accounts (momo_sms_inbox.receiving_account, else ingest_source: the account stored '
'on each parse) that collect for one group each. An SMS received on such an account can only '
'credit an active member of that group. Written by collection_account_add() and '
'collection_account_remove(), audited.';

create index collection_accounts_ikimina_id_idx on collection_accounts (ikimina_id);

create table remembered_payers (
    id bigint generated always as identity primary key,
    ikimina_id uuid not null references ibimina (id),
    -- the payer as SMS state it: the normalised name and the visible digits (the last
    -- three of a full number), and the full number when it was shown
    msisdn_e164 text check (msisdn_e164 ~ '^\+[1-9][0-9]{7,14}$'),
    payer_name text check (payer_name ~ '^[a-z0-9]+( [a-z0-9]+)+$'),
    msisdn_suffix text check (msisdn_suffix ~ '^[0-9]{1,6}$'),
    member_id uuid not null,
    case_id bigint references momo_unmatched (id),
    remembered_at timestamptz not null default now(),
    remembered_by text not null default session_user,
    -- a name goes with digits; a full number alone when the name is of one word
    constraint remembered_payers_stated check (
        (payer_name is null) = (msisdn_suffix is null)
        and (msisdn_e164 is not null or payer_name is not null)
    ),
    -- the member belongs to the group the payer is remembered for
    foreign key (member_id, ikimina_id) references ibimina_members (id, ikimina_id)
);

comment on table remembered_payers is
'Payers a treasurer recognised once (unmatched_resolve(..., p_remember_payer => true)): for a '
'group, the payer as the SMS states it (normalised name and visible digits, and the full number '
'when shown) and '
'the member the payer pays for. Later SMS from that payer to one of the group''s collection '
'accounts are allocated to that member (matched_by remembered_payer). Forgotten with '
'remembered_payer_forget().';

create unique index remembered_payers_number_idx on remembered_payers (ikimina_id, msisdn_e164)
where msisdn_e164 is not null;
create unique index remembered_payers_name_idx on remembered_payers (
    ikimina_id, payer_name, msisdn_suffix
) where payer_name is not null;
create index remembered_payers_member_id_idx on remembered_payers (member_id);

-- A case from a masked payer lists the members it could be.
alter table momo_unmatched add column candidates jsonb;

comment on column momo_unmatched.candidates is
'For a payer whose number is masked, on an account of a group: the active members of that group '
'whose number ends with the visible digits, each with whether its name agrees with the SMS name '
'([{member_id, display_name, member_code, names_agree}]). A hint; resolving is one '
'unmatched_resolve() call.';

-- New reasons. Other changes add reasons too: extend the list as it stands.
do $$
declare
    v_reasons text [];
begin
    select array_agg(distinct r order by r) into v_reasons
    from (
        select m[1] as r
        from pg_constraint as c
        cross join lateral regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g') as m
        where c.conname = 'momo_unmatched_reason_check' and c.conrelid = 'momo_unmatched'::regclass
        union
        select unnest(array['member_of_other_group', 'payer_ambiguous', 'payer_not_recognised'])
    ) as x;
    alter table momo_unmatched drop constraint momo_unmatched_reason_check;
    execute format(
        'alter table momo_unmatched add constraint momo_unmatched_reason_check check (reason = any (%L::text[]))',
        v_reasons
    );
end;
$$;

-- The resolver now takes the receiving account and the payer as stated, and
-- suggestions stay within the account's group;
-- unmatched_resolve can remember the payer (re-created from db/functions).
drop function if exists _momo_resolve_members(text[], text[]);
drop function if exists _momo_suggest_member(text, text);
drop function if exists unmatched_resolve(bigint, text, uuid, numeric);
