create or replace function _momo_resolve_members(
    p_msisdns_e164 text[],
    p_sender_notes text[],
    p_accounts text[],
    p_sender_names text[],
    p_msisdn_suffixes text[]
)
returns table (
    ord integer,
    member_id uuid,
    ikimina_id uuid,
    group_currency text,
    matched_by text,
    reason text,
    detail text,
    candidates jsonb
)
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    -- The account that received the SMS decides the group when it is a collection
    -- account: then only that group's members can be named (group_id not null).
    with input as (
        select
            t.ord::integer as ord, t.msisdn, t.note, t.name, t.suffix,
            a.ikimina_id as group_id
        from unnest(p_msisdns_e164, p_sender_notes, p_accounts, p_sender_names, p_msisdn_suffixes)
            with ordinality as t (msisdn, note, account, name, suffix, ord)
        left join collection_accounts as a on t.account = a.account
    ),

    -- 1. The full number.
    by_phone as (
        select i.ord, m.id
        from input as i
        inner join profiles as p on i.msisdn = p.whatsapp_e164
        inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
        where i.group_id is null or m.ikimina_id = i.group_id
    ),

    -- An active member of another group than the account's, by full number.
    elsewhere as (
        select distinct i.ord
        from input as i
        inner join profiles as p on i.msisdn = p.whatsapp_e164
        inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
        where m.ikimina_id <> i.group_id
    ),

    -- 2. A member code in the note: words of two or more letters, digits or dashes.
    tokens as (
        select distinct i.ord, i.group_id, t.token
        from input as i
        cross join lateral regexp_split_to_table(upper(i.note), '[^A-Z0-9-]+') as t (token)
        where i.note is not null and length(t.token) >= 2
    ),

    by_code as (
        select distinct k.ord, m.id
        from tokens as k
        inner join ibimina_members as m on k.token = upper(m.member_code) and m.status = 'active'
        where k.group_id is null or m.ikimina_id = k.group_id
    ),

    -- 3. A payer the group's treasurer recognised before (only on a collection account).
    by_remembered as (
        select i.ord, m.id
        from input as i
        inner join remembered_payers as r
            on
                r.ikimina_id = i.group_id
                and (
                    r.msisdn_e164 = i.msisdn
                    -- by digits and the same words, unless both state full numbers (then
                    -- they differ)
                    or (
                        (i.msisdn is null or r.msisdn_e164 is null)
                        and r.msisdn_suffix = coalesce(i.suffix, right(i.msisdn, 3))
                        and string_to_array(r.payer_name, ' ') <@ _payer_name_words(i.name)
                        and _payer_name_words(i.name) <@ string_to_array(r.payer_name, ' ')
                    )
                )
        inner join ibimina_members as m on r.member_id = m.id and m.status = 'active'
    ),

    -- 4. A masked payer: the group's active members whose number ends with the
    -- visible digits, and whether their names agree with the SMS name. The active
    -- members of the batch's groups are read once, then joined on group and digits.
    masked as materialized (
        select i.ord, i.group_id, i.suffix, _payer_name_words(i.name) as words
        from input as i
        where i.group_id is not null and i.msisdn is null and i.suffix is not null
    ),

    roster as materialized (
        select
            m.ikimina_id, m.id, m.member_code, p.display_name, p.whatsapp_e164,
            _payer_name_words(p.display_name) as words
        from ibimina_members as m
        inner join profiles as p on m.user_id = p.user_id
        where m.status = 'active' and m.ikimina_id in (select x.group_id from masked as x)
    ),

    by_digits as materialized (
        select
            k.ord,
            r.id,
            r.display_name,
            r.member_code,
            _payer_words_agree(r.words, k.words) as names_agree
        from masked as k
        inner join roster as r
            on
                k.group_id = r.ikimina_id
                and right(k.suffix, 3) = right(r.whatsapp_e164, 3)
                and right(r.whatsapp_e164, length(k.suffix)) = k.suffix
    ),

    phone as (
        select b.ord, count(*) as n, (array_agg(b.id))[1] as id
        from by_phone as b group by b.ord
    ),

    code as (
        select b.ord, count(*) as n, (array_agg(b.id))[1] as id
        from by_code as b group by b.ord
    ),

    agreed as (
        select a.ord, count(*) as n, (array_agg(a.id))[1] as id
        from (select ord, id from by_phone intersect select ord, id from by_code) as a
        group by a.ord
    ),

    remembered as (
        select b.ord, count(*) as n, (array_agg(b.id))[1] as id
        from by_remembered as b group by b.ord
    ),

    -- With the candidates a person will choose from, built only where the digits and
    -- name did not name exactly one member.
    named as (
        select
            b.ord,
            max(b.n_agree) as n,
            (array_agg(b.id) filter (where b.names_agree))[1] as id,
            count(*) as n_digits,
            jsonb_agg(
                jsonb_build_object(
                    'member_id', b.id, 'display_name', b.display_name,
                    'member_code', b.member_code, 'names_agree', b.names_agree
                ) order by b.names_agree desc, b.display_name asc, b.id asc
            ) filter (where b.n_agree <> 1) as candidates
        from (
            select
                d.*,
                count(*) filter (where d.names_agree) over (partition by d.ord) as n_agree
            from by_digits as d
        ) as b
        group by b.ord
    ),

    -- Phone and code agreeing, or either alone, must name exactly one active member.
    strong as (
        select
            i.ord,
            coalesce(p.n, 0) as n_phone,
            coalesce(c.n, 0) as n_code,
            case
                when a.n = 1 then a.id
                when c.n is null and p.n = 1 then p.id
                when p.n is null and c.n = 1 then c.id
            end as member_id,
            case
                when a.n = 1 then 'phone+member_code'
                when c.n is null and p.n = 1 then 'phone'
                when p.n is null and c.n = 1 then 'member_code'
            end as matched_by
        from input as i
        left join phone as p on i.ord = p.ord
        left join code as c on i.ord = c.ord
        left join agreed as a on i.ord = a.ord
    ),

    -- The steps in order, each naming exactly one member or passing on; a remembered
    -- payer never overrides a number or code that names someone else.
    chosen as (
        select
            i.ord,
            i.msisdn,
            i.name,
            i.suffix,
            i.group_id,
            s.n_phone,
            s.n_code,
            r.id as remembered_id,
            s.member_id as strong_id,
            coalesce(n.n, 0) as n_named,
            coalesce(n.n_digits, 0) as n_digits,
            n.candidates,
            case
                when s.member_id is not null and r.id is not null and r.id <> s.member_id then null
                when s.member_id is not null then s.member_id
                when s.n_phone > 0 or s.n_code > 0 then null
                when r.n = 1 then r.id
                when n.n = 1 then n.id
            end as member_id,
            case
                when s.member_id is not null and r.id is not null and r.id <> s.member_id then null
                when s.member_id is not null then s.matched_by
                when s.n_phone > 0 or s.n_code > 0 then null
                when r.n = 1 then 'remembered_payer'
                when n.n = 1 then 'name_and_digits'
            end as matched_by
        from input as i
        inner join strong as s on i.ord = s.ord
        left join remembered as r on i.ord = r.ord
        left join named as n on i.ord = n.ord
    )

    select
        ch.ord,
        ch.member_id,
        m.ikimina_id,
        g.currency,
        ch.matched_by,
        case
            when ch.member_id is not null then null
            when ch.strong_id is not null then 'membership_ambiguous'
            when ch.n_code > 1 and ch.n_phone = 0 then 'member_code_ambiguous'
            when ch.n_phone > 0 or ch.n_code > 0 then 'membership_ambiguous'
            when ch.n_named > 1 then 'payer_ambiguous'
            when e.ord is not null then 'member_of_other_group'
            when ch.group_id is not null and ch.msisdn is null then 'payer_not_recognised'
            when pr.user_id is not null then 'membership_not_found'
            else 'profile_not_found'
        end as reason,
        case
            when ch.member_id is not null then null
            when ch.strong_id is not null then format(
                'the payer is remembered as paying for member %s, but the %s names member %s',
                ch.remembered_id, case when ch.n_phone > 0 then 'number' else 'member code' end,
                ch.strong_id
            )
            when ch.n_code > 1 and ch.n_phone = 0
                then format('member code in the note matches %s active members', ch.n_code)
            when ch.n_phone > 0 or ch.n_code > 0 then format(
                '%s active membership(s) by phone, %s by member code, none agreeing',
                ch.n_phone, ch.n_code
            )
            when ch.n_named > 1 then format(
                '%s members of the group have a number ending in %s and a name agreeing with %L',
                ch.n_named, ch.suffix, ch.name
            )
            when e.ord is not null then format(
                '%s is an active member of another group, not of the group whose account received the SMS',
                ch.msisdn
            )
            when ch.group_id is not null and ch.msisdn is null then format(
                'no active member of the group has a number ending in %s and a name agreeing with %L '
                '(%s with those digits)',
                coalesce(ch.suffix, '(no digits shown)'), ch.name, ch.n_digits
            )
            when pr.user_id is not null
                then format('profile %s has no active membership', ch.msisdn)
            when ch.msisdn is null
                then 'payer number is masked or missing and no member code was given'
            else format('no profile has number %s', ch.msisdn)
        end as detail,
        case when ch.member_id is null then ch.candidates end as candidates
    from chosen as ch
    left join elsewhere as e on ch.ord = e.ord
    left join profiles as pr on ch.msisdn = pr.whatsapp_e164
    left join ibimina_members as m on ch.member_id = m.id
    left join ibimina as g on m.ikimina_id = g.id;
$$;

comment on function _momo_resolve_members(text[], text[], text[], text[], text[]) is
'Resolves payers to exactly one active member each, set-based (ord = position in the arrays). '
'When the receiving account is a collection account only its group''s members count, tried in '
'order, each step naming one member or passing on: full number, member code in the note, a '
'remembered payer (never against a number or code naming someone else), name and visible digits '
'(_payer_words_agree). An account of no group: full number or member code, as before. Otherwise '
'the unmatched reason, a sentence explaining it and, for a masked payer, the candidates.';
