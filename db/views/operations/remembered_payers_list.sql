create or replace view remembered_payers_list as
select
    r.id,
    r.ikimina_id,
    g.name as ikimina_name,
    r.msisdn_e164,
    r.payer_name,
    r.msisdn_suffix,
    r.member_id,
    p.display_name as member_name,
    m.member_code,
    m.status as member_status,
    r.case_id,
    r.remembered_at,
    r.remembered_by
from public.remembered_payers as r
inner join public.ibimina as g on r.ikimina_id = g.id
inner join public.ibimina_members as m on r.member_id = m.id
inner join public.profiles as p on m.user_id = p.user_id
order by g.name, p.display_name, r.id;

comment on view remembered_payers_list is
'DBA: the payers each group''s treasurer recognised (remembered_payers): the payer as the SMS states '
'it (msisdn_e164, or payer_name normalised and the visible digits msisdn_suffix), the member it '
'pays for, the case it was learnt from, when and by whom. id: pass it to remembered_payer_forget().';
