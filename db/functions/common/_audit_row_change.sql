-- Audit of configuration tables that a DBA changes with plain SQL (SMS formats):
-- who, when, before and after, like every other correction. The row is written
-- here, by the trigger function itself: there is no writer a role could call.

create or replace function _audit_row_change()
returns trigger
language plpgsql
-- Security definer: it writes audit_log, which no role may write. The acting role is
-- read from the session (set role), which a security definer function does not change.
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_key text := coalesce(tg_argv[0], 'id');
    v_before jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    v_after jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
    v_role text := coalesce(nullif(current_setting('role'), 'none'), session_user::text);
begin
    perform public._require_audited_table(tg_relid, 'public._audit_row_change()'::regprocedure);
    if tg_op = 'UPDATE' and v_before = v_after then
        return null;  -- nothing changed
    end if;
    perform public._audit(
        tg_table_name || '_' || lower(tg_op), tg_table_name, coalesce(v_after, v_before) ->> v_key,
        coalesce(
            nullif(current_setting('app.audit_reason', true), ''),
            format('%s by role %s', lower(tg_op), v_role)
        ),
        jsonb_build_object('row', v_before, 'role', v_role),
        jsonb_build_object('row', v_after, 'role', v_role)
    );
    return null;
end;
$$;

comment on function _audit_row_change() is
'Generic audit trigger (after insert, update or delete, for each row): one audit_log row per '
'changed row with the row before and after, the login (actor) and the acting role. The reason is '
'the session setting app.audit_reason when set (set local app.audit_reason = ''ticket 12''), else '
'"<operation> by role <role>". tg_argv[0] names the key column (default id). No role may execute '
'it, and it refuses (MM403) to run for a table the schema owner did not create.';

create or replace trigger momo_sms_formats_audit
after insert or update or delete on momo_sms_formats
for each row execute function _audit_row_change('id');
