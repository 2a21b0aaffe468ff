create or replace function _credit_reservation_audit()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
begin
    perform public._require_audited_table(tg_relid, 'public._credit_reservation_audit()'::regprocedure);
    perform public._audit(
        case
            when new.status <> old.status then 'credit_reservation_' || new.status
            else 'credit_reservation_updated'
        end,
        'CreditReservation',
        new.id,
        case
            when new.status = 'consumed'
                then format('used %s of %s credits', new."usedAmount", new.amount)
            else new.meta ->> 'releaseReason'
        end,
        to_jsonb(old),
        to_jsonb(new)
    );
    return null;
end;
$$;

comment on function _credit_reservation_audit() is
'Trigger function on "CreditReservation": writes every change (release, expiry, consumption, '
'also a DBA''s direct UPDATE) to audit_log with the row before and after.';

create or replace trigger credit_reservation_audit
after update on "CreditReservation"
for each row when (old.* is distinct from new.*)
execute function _credit_reservation_audit();
