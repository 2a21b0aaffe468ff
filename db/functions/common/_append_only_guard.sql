create or replace function _append_only_guard()
returns trigger
language plpgsql
as $$
begin
    raise exception '% is append-only: % is not allowed', tg_table_name, lower(tg_op)
        using errcode = 'MM409',
        hint = coalesce(tg_argv[0], 'Record a compensating row instead.');
end;
$$;

comment on function _append_only_guard() is
'Trigger function refusing update, delete and truncate on append-only tables.';

create or replace trigger audit_log_append_only
before update or delete on audit_log
for each row execute function _append_only_guard('The audit trail is never edited.');

create or replace trigger audit_log_no_truncate
before truncate on audit_log
for each statement execute function _append_only_guard('The audit trail is never edited.');
