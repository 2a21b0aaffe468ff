create or replace function _momo_resolve_member(p_msisdn_e164 text, p_sender_note text)
returns table (
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
    with by_phone as (
        select m.id, m.ikimina_id
        from profiles as p
        inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
        where p.whatsapp_e164 = p_msisdn_e164
    ),

    by_code as (
        select m.id, m.ikimina_id
        from ibimina_members as m
        where
            m.status = 'active'
            and upper(m.member_code) in (
                select t.token
                from regexp_split_to_table(upper(coalesce(p_sender_note, '')), '[^A-Z0-9-]+') as t (token)
                where length(t.token) >= 2
            )
    ),

    agreed as (
        select id, ikimina_id from by_phone
        intersect
        select id, ikimina_id from by_code
    ),

    counts as (
        select
            (select count(*) from by_phone) as n_phone,
            (select count(*) from by_code) as n_code,
            (select count(*) from agreed) as n_agreed,
            exists (select from profiles where whatsapp_e164 = p_msisdn_e164) as has_profile
    ),

    -- Phone and code agreeing, or either alone, must name exactly one active member.
    chosen as (
        select
            case
                when c.n_agreed = 1 then (select a.id from agreed as a)
                when c.n_code = 0 and c.n_phone = 1 then (select b.id from by_phone as b)
                when c.n_phone = 0 and c.n_code = 1 then (select b.id from by_code as b)
            end as member_id,
            case
                when c.n_agreed = 1 then 'phone+member_code'
                when c.n_code = 0 and c.n_phone = 1 then 'phone'
                when c.n_phone = 0 and c.n_code = 1 then 'member_code'
            end as matched_by,
            c.*
        from counts as c
    )

    select
        ch.member_id,
        m.ikimina_id,
        g.currency,
        ch.matched_by,
        case
            when ch.member_id is not null then null
            when ch.n_code > 1 and ch.n_phone = 0 then 'member_code_ambiguous'
            when ch.n_phone > 0 or ch.n_code > 0 then 'membership_ambiguous'
            when ch.has_profile then 'membership_not_found'
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
            when ch.has_profile then format('profile %s has no active membership', p_msisdn_e164)
            when p_msisdn_e164 is null then 'payer number is masked or missing and no member code was given'
            else format('no profile has number %s', p_msisdn_e164)
        end
    from chosen as ch
    left join ibimina_members as m on ch.member_id = m.id
    left join ibimina as g on m.ikimina_id = g.id;
$$;

comment on function _momo_resolve_member(text, text) is
'Resolves a payer to exactly one active member: by full phone number (profiles.whatsapp_e164), by '
'a member code quoted in the sender''s note, or both agreeing; otherwise the unmatched reason and '
'a sentence explaining it.';
