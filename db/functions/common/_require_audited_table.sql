create or replace function _require_audited_table(p_relid oid, p_trigger_function regprocedure)
returns void
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
begin
    -- An audit trigger writes audit_log as the schema owner: only for a table of the
    -- schema (in public, owned by the owner of the trigger function), never for a
    -- temporary or other table a role made and hung the trigger function on.
    if not exists (
        select
        from pg_catalog.pg_class as c
        join pg_catalog.pg_proc as p on p.oid = p_trigger_function
        where c.oid = p_relid
            and c.relnamespace = 'public'::regnamespace
            and c.relpersistence = 'p'
            and c.relowner = p.proowner
    ) then
        raise exception '% writes audit rows for the schema''s own tables only, not for %',
            p_trigger_function, p_relid::regclass
            using errcode = 'MM403',
            hint = 'Audit rows come only from the audit triggers of the audited tables.';
    end if;
end;
$$;

comment on function _require_audited_table(oid, regprocedure) is
'Internal, for the audit trigger functions: raises MM403 unless p_relid is a permanent table in '
'public owned by the owner of p_trigger_function (a table the migrations made), so an audit '
'trigger hung on a temporary or foreign table writes nothing.';
