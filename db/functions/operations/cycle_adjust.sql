create or replace function cycle_adjust(
    p_ikimina_id uuid,
    p_yyyymm integer,
    p_expected_amount numeric default null,
    p_status text default null,
    p_reason text default null
)
returns contribution_cycles
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_before public.contribution_cycles;
    v_after public.contribution_cycles;
    v_created boolean := false;
begin
    perform public._require_text(
        p_reason, 'a reason is required to adjust a contribution cycle', 'p_reason',
        'Pass p_reason => ''...'', e.g. ''group agreed 5000 per member from January''.'
    );
    if p_ikimina_id is null or p_yyyymm is null then
        raise exception 'a group id and a cycle month (yyyymm) are required' using errcode = 'MM400';
    end if;
    if p_yyyymm not between 200001 and 999912 or p_yyyymm % 100 not between 1 and 12 then
        raise exception 'cycle month % is not a month written yyyymm (e.g. 202501)', p_yyyymm
            using errcode = 'MM400', column = 'p_yyyymm';
    end if;
    if p_expected_amount is null and p_status is null then
        raise exception 'nothing to change: pass p_expected_amount and/or p_status'
            using errcode = 'MM400';
    end if;
    perform public._require_money('p_expected_amount', p_expected_amount, p_required => false, p_allow_zero => true);
    if p_status not in ('open', 'closed') then
        raise exception 'status must be open or closed, got %', p_status
            using errcode = 'MM400', column = 'p_status';
    end if;
    if not exists (select from public.ibimina where id = p_ikimina_id) then
        raise exception 'group % does not exist', p_ikimina_id
            using errcode = 'MM404', column = 'p_ikimina_id', hint = 'See select id, name from ibimina.';
    end if;

    -- A missing cycle is created (expected amounts can be set before the month's
    -- first payment); collected_amount stays the ledger trigger's alone.
    insert into public.contribution_cycles (ikimina_id, yyyymm)
    values (p_ikimina_id, p_yyyymm)
    on conflict (ikimina_id, yyyymm) do nothing
    returning true into v_created;
    select * into v_before from public.contribution_cycles
    where ikimina_id = p_ikimina_id and yyyymm = p_yyyymm
    for update;
    if v_before.expected_amount = coalesce(p_expected_amount, v_before.expected_amount)
        and v_before.status = coalesce(p_status, v_before.status)
        and not coalesce(v_created, false) then
        raise exception 'cycle % of group % already has expected amount % and status %: nothing changed',
            p_yyyymm, p_ikimina_id, v_before.expected_amount, v_before.status
            using errcode = 'MM409';
    end if;

    update public.contribution_cycles
    set expected_amount = coalesce(p_expected_amount, expected_amount),
        status = coalesce(p_status, status),
        updated_at = now()
    where ikimina_id = p_ikimina_id and yyyymm = p_yyyymm
    returning * into v_after;

    perform public._audit(
        'cycle_adjust', 'contribution_cycles', p_ikimina_id::text || ':' || p_yyyymm::text, p_reason,
        case when not coalesce(v_created, false) then to_jsonb(v_before) end,
        to_jsonb(v_after)
    );
    return v_after;
end;
$$;

comment on function cycle_adjust(uuid, integer, numeric, text, text) is
'DBA: set a group''s monthly cycle expected amount and/or status (open, closed) with a reason, '
'creating the cycle if the month has none yet. collected_amount is never touched (the ledger '
'trigger owns it) and a closed cycle stays closed when late payments arrive. Audited.';
