create or replace function _momo_resolve_members(p_msisdns_e164 text[], p_sender_notes text[])
returns table (
    ord integer,
    member_id uuid,
    ikimina_id uuid,
    group_currency text,
    matched_by text,
    reason text,
    detail text
)
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    with input as (
        select t.ord::integer as ord, t.msisdn, t.note
        from unnest(p_msisdns_e164, p_sender_notes) with ordinality as t (msisdn, note, ord)
    ),

    by_phone as (
        select i.ord, m.id
        from input as i
        inner join profiles as p on i.msisdn = p.whatsapp_e164
        inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
    ),

    -- Words of two or more letters, digits or dashes in the note may be member codes.
    tokens as (
        select distinct i.ord, t.token
        from input as i
        cross join lateral regexp_split_to_table(upper(i.note), '[^A-Z0-9-]+') as t (token)
        where i.note is not null and length(t.token) >= 2
    ),

    by_code as (
        select distinct k.ord, m.id
        from tokens as k
        inner join ibimina_members as m on k.token = upper(m.member_code) and m.status = 'active'
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

    -- Phone and code agreeing, or either alone, must name exactly one active member.
    chosen as (
        select
            i.ord,
            i.msisdn,
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
    )

    select
        ch.ord,
        ch.member_id,
        m.ikimina_id,
        g.currency,
        ch.matched_by,
        case
            when ch.member_id is not null then null
            when ch.n_code > 1 and ch.n_phone = 0 then 'member_code_ambiguous'
            when ch.n_phone > 0 or ch.n_code > 0 then 'membership_ambiguous'
            when pr.user_id is not null then 'membership_not_found'
            else 'profile_not_found'
        end,
        case
            when ch.member_id is not null then null
            when ch.n_code > 1 and ch.n_phone = 0
                then format('member code in the note matches %s active members', ch.n_code)
            when ch.n_phone > 0 or ch.n_code > 0 then format(
                '%s active membership(s) by phone, %s by member code, none agreeing',
                ch.n_phone, ch.n_code
            )
            when pr.user_id is not null
                then format('profile %s has no active membership', ch.msisdn)
            when ch.msisdn is null
                then 'payer number is masked or missing and no member code was given'
            else format('no profile has number %s', ch.msisdn)
        end
    from chosen as ch
    left join profiles as pr on ch.msisdn = pr.whatsapp_e164
    left join ibimina_members as m on ch.member_id = m.id
    left join ibimina as g on m.ikimina_id = g.id;
$$;

comment on function _momo_resolve_members(text[], text[]) is
'Resolves payers to exactly one active member each, set-based (ord = position in the arrays): by '
'full phone number (profiles.whatsapp_e164), by a member code quoted in the sender''s note, or '
'both agreeing; otherwise the unmatched reason and a sentence explaining it.';
