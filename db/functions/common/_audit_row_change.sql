-- Audit of configuration tables that a DBA changes with plain SQL (SMS formats,
-- provider senders): who, when, before and after, like every other correction.

create or replace function _audit_change(
    p_table text,
    p_operation text,
    p_entity_id text,
    p_role text,
    p_before jsonb,
    p_after jsonb
)
returns bigint
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    -- Only _audit_row_change() calls this, from a trigger: nobody can write an audit
    -- row that no change caused.
    if pg_trigger_depth() < 1 then
        raise exception '_audit_change() is called by the audit trigger only'
            using errcode = 'MM403';
    end if;
    return public._audit(
        p_table || '_' || lower(p_operation), p_table, p_entity_id,
        coalesce(
            nullif(current_setting('app.audit_reason', true), ''),
            format('%s by role %s', lower(p_operation), p_role)
        ),
        p_before || jsonb_build_object('role', p_role),
        p_after || jsonb_build_object('role', p_role)
    );
end;
$$;

comment on function _audit_change(text, text, text, text, jsonb, jsonb) is
'Internal, for _audit_row_change(): writes the audit_log row of one changed row (action '
'<table>_<insert|update|delete>); its before/after images carry the acting role. Refused outside '
'a trigger.';

create or replace function _audit_row_change()
returns trigger
language plpgsql
-- Not security definer: current_user is the role that changed the row (e.g. app_dba).
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_key text := coalesce(tg_argv[0], 'id');
    v_before jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    v_after jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
begin
    if tg_op = 'UPDATE' and v_before = v_after then
        return null;  -- nothing changed
    end if;
    perform public._audit_change(
        tg_table_name, tg_op, coalesce(v_after, v_before) ->> v_key, current_user::text,
        jsonb_build_object('row', v_before), jsonb_build_object('row', v_after)
    );
    return null;
end;
$$;

comment on function _audit_row_change() is
'Generic audit trigger (after insert, update or delete, for each row): one audit_log row per '
'changed row with the row before and after, the login (actor) and the acting role. The reason is '
'the session setting app.audit_reason when set (set local app.audit_reason = ''ticket 12''), else '
'"<operation> by role <role>". tg_argv[0] names the key column (default id).';

create or replace trigger momo_sms_formats_audit
after insert or update or delete on momo_sms_formats
for each row execute function _audit_row_change('id');
