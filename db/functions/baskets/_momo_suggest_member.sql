create or replace function _momo_suggest_member(
    p_msisdn_suffix text, p_sender_name text, p_ikimina_id uuid
)
returns uuid
language sql
stable
set search_path = pg_catalog, public, pg_temp
as $$
    select m.id
    from profiles as p
    inner join ibimina_members as m on p.user_id = m.user_id and m.status = 'active'
    where
        length(p_msisdn_suffix) >= 3
        -- on a collection account, only a member of its group
        and (p_ikimina_id is null or m.ikimina_id = p_ikimina_id)
        and right(p.whatsapp_e164, 3) = right(p_msisdn_suffix, 3)
        and p.whatsapp_e164 like '%' || p_msisdn_suffix
        and similarity(p.display_name, coalesce(p_sender_name, '')) >= 0.3
    order by similarity(p.display_name, coalesce(p_sender_name, '')) desc, m.joined_at asc
    limit 1;
$$;

comment on function _momo_suggest_member(text, text, uuid) is
'A hint for a person resolving a case: the active member whose number ends with the masked '
'suffix and whose name is most similar (pg_trgm) to the SMS sender name, of group p_ikimina_id when '
'the SMS came to its collection account (null: any group). Never used to allocate.';
