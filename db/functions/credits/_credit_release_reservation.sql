create or replace function _credit_release_reservation(
    p_reservation_id text,
    p_status text,
    p_reason text,
    p_detail jsonb default null
)
returns "CreditReservation"
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_reservation public."CreditReservation";
begin
    -- The update waits for a concurrent settlement and re-checks status, so a
    -- reservation is released at most once; null when it was no longer active.
    update public."CreditReservation" as r
    set status = p_status,
        meta = r.meta || coalesce(p_detail, '{}') || jsonb_build_object('releaseReason', p_reason)
    where r.id = p_reservation_id and r.status = 'active'
    returning r.* into v_reservation;
    return v_reservation;
end;
$$;

comment on function _credit_release_reservation(text, text, text, jsonb) is
'Internal: moves an active reservation to released or expired with meta.releaseReason (the '
'guard and audit triggers do the rest). Returns the row, or null when it was not active.';
