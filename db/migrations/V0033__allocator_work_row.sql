-- The allocator's work table (momo_alloc_work, one per session, see
-- _momo_alloc_work_open) gets its shape from one composite type, so that a
-- pooled session holding a table of an older shape can compare it as a whole.
-- Its columns, in this order: the SMS (inbox_id, sender, account), its parse
-- (the attributes of momo_parse_row, taken from that type so they are written
-- once), then what each step decides. A step that needs another column adds it
-- here (alter type momo_alloc_work_row add attribute ...), in a migration.
do $$
begin
    execute format(
        'create type momo_alloc_work_row as (inbox_id bigint, sender text, account text, %s, %s)',
        (
            select string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', '
                order by a.attnum)
            from pg_attribute as a
            where a.attrelid = 'momo_parse_row'::regclass and a.attnum > 0 and not a.attisdropped
        ),
        'genuine boolean, balance_verified boolean, parsed_id bigint, '
        'duplicate_of bigint, conflicts_with bigint, outcome text, reason text, detail text, '
        'member_id uuid, ikimina_id uuid, group_currency text, matched_by text, '
        'suggested_member_id uuid, ledger_id bigint, released_hold boolean'
    );
end;
$$;

comment on type momo_alloc_work_row is
'One SMS in the allocator''s work table momo_alloc_work: inbox_id, the gateway sender and the '
'receiving account, its parse (the attributes of momo_parse_row), then what the steps decide: '
'genuine, balance_verified, parsed_id, duplicate_of (the same movement parsed before) or '
'conflicts_with (another movement claiming its txn id), outcome, reason and detail, the member, '
'group and group currency resolved and how (matched_by), a suggested member for a case, the '
'ledger row, and released_hold (a credit held by an earlier run, released in this one).';
