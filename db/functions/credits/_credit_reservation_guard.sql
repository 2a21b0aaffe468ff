create or replace function _credit_reservation_guard()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_debit numeric;
begin
    if tg_op = 'DELETE' then
        raise exception 'credit reservation % cannot be deleted', old.id
            using errcode = 'MM409',
            hint = 'Release it (credit_release) or expire it (credit_expire); its history stays.';
    end if;
    if tg_op = 'INSERT' then
        if new.status <> 'active' then
            raise exception 'a credit reservation starts active, not %', new.status
                using errcode = 'MM409', hint = 'Reserve with credit_reserve().';
        end if;
        return new;
    end if;

    if (new.id, new."shopId", new."campaignId", new.amount, new."createdAt", new."expiresAt",
        new."createdBy")
        is distinct from
        (old.id, old."shopId", old."campaignId", old.amount, old."createdAt", old."expiresAt",
            old."createdBy") then
        raise exception 'credit reservation %: only status, "releasedAt" and meta can change', old.id
            using errcode = 'MM409';
    end if;
    if old.status <> 'active' then
        if row(new.*) is distinct from row(old.*) then
            raise exception 'credit reservation % is % and cannot change', old.id, old.status
                using errcode = 'MM409',
                hint = 'A reservation leaves active once: released, expired and consumed are final.';
        end if;
        return new;
    end if;
    if new.status = 'active' then
        -- Still active: only meta may change.
        new."releasedAt" := null;
        return new;
    end if;

    -- Leaving active: the time is a fact, not an input.
    new."releasedAt" := now();
    case new.status
        when 'released' then
            if jsonb_typeof(new.meta -> 'releaseReason') is distinct from 'string'
                or not public._has_visible_character(new.meta ->> 'releaseReason') then
                raise exception 'releasing credit reservation % needs meta.releaseReason', old.id
                    using errcode = 'MM400', column = 'meta',
                    hint = 'e.g. meta = jsonb_set(coalesce(meta, ''{}''), ''{releaseReason}'', '
                    || '''"manual_reconciliation"'')';
            end if;
        when 'expired' then
            if jsonb_typeof(new.meta -> 'releaseReason') is distinct from 'string' then
                new.meta := new.meta || '{"releaseReason": "expired"}';
            end if;
        when 'consumed' then
            -- Consumed means charged: the debit must already be posted (credit_consume()).
            select t.amount into v_debit
            from public."CreditTransaction" as t
            where t."reservationId" = old.id and t.type = 'debit';
            if coalesce(v_debit, 0) <> coalesce(new."usedAmount", -1) then
                raise exception 'credit reservation % can only be consumed by credit_consume()', old.id
                    using errcode = 'MM409',
                    hint = 'It posts the debit for the used credits and releases the rest.';
            end if;
        else
            null;  -- the check constraint names the valid statuses
    end case;
    return new;
end;
$$;

comment on function _credit_reservation_guard() is
'Trigger function on "CreditReservation": it starts active, is never deleted, leaves active once '
'(released with meta.releaseReason, expired, or consumed with its debit posted), and only its '
'status, "releasedAt" and meta ever change. "releasedAt" is set to the time of the change.';

create or replace trigger credit_reservation_guard
before insert or update or delete on "CreditReservation"
for each row execute function _credit_reservation_guard();
