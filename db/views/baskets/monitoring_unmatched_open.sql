create or replace view monitoring.unmatched_open as
select
    u.id as case_id,
    u.inbox_id,
    u.reason,
    u.detail,
    u.created_at,
    extract(epoch from now() - u.created_at)::bigint as age_seconds,
    p.amount,
    p.currency,
    p.txn_id,
    p.txn_ts,
    u.suggested_member_id,
    m.ikimina_id as suggested_ikimina_id,
    -- the candidates without their names: analysts see ids, DBAs read momo_unmatched
    (
        select jsonb_agg(c.value - 'display_name' order by c.ordinality)
        from jsonb_array_elements(u.candidates) with ordinality as c (value, ordinality)
    ) as candidates
from public.momo_unmatched as u
left join public.momo_parsed_txns as p on u.parsed_id = p.id
left join public.ibimina_members as m on u.suggested_member_id = m.id
where u.status = 'open'
order by u.created_at, u.id;

comment on view monitoring.unmatched_open is
'Open momo_unmatched cases, oldest first: the reconciliation work list. case_id: pass it to '
'unmatched_resolve(). inbox_id: the SMS. reason: why it was not allocated (profile_not_found, '
'low_confidence, dead_letter, ...); detail: more words on it. created_at, age_seconds: when the '
'case was opened and how long ago. amount, currency, txn_id, txn_ts: what the parser read (null '
'when unknown). suggested_member_id, suggested_ikimina_id: a hint only (masked number and name '
'matched), never an allocation. candidates: for a masked payer on a collection account, the '
'group''s members with those visible digits and whether their names agree (momo_unmatched.candidates, '
'without the names: member_id, member_code, names_agree).';
