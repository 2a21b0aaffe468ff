create or replace function _audit(
    p_action text,
    p_entity text,
    p_entity_id text,
    p_reason text,
    p_before jsonb,
    p_after jsonb
)
returns bigint
language sql
set search_path = pg_catalog, public, pg_temp
as $$
    insert into audit_log (action, entity, entity_id, reason, before, after)
    values (p_action, p_entity, p_entity_id, p_reason, p_before, p_after)
    returning id;
$$;

comment on function _audit(text, text, text, text, jsonb, jsonb) is
'Writes one audit_log row for the current session user; returns its id.';
