create or replace function _member_for_allocation(p_member_id uuid)
returns ibimina_members
language plpgsql
stable
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_member public.ibimina_members;
begin
    select * into v_member from public.ibimina_members where id = p_member_id;
    if not found then
        raise exception 'member % does not exist', p_member_id
            using errcode = 'MM404', column = 'p_member_id',
            hint = 'p_member_id is a membership id: select id, ikimina_id, status from ibimina_members.';
    end if;
    if v_member.status <> 'active' then
        raise exception 'member % is %: only active members receive allocations', p_member_id, v_member.status
            using errcode = 'MM422', column = 'p_member_id';
    end if;
    return v_member;
end;
$$;

comment on function _member_for_allocation(uuid) is
'Correction functions: the membership p_member_id a payment is about to be credited to; MM404 when '
'there is none, MM422 when it is not active.';
