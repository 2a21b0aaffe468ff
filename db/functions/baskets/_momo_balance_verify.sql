create or replace function _momo_balance_verify(p_accounts text[], p_from timestamptz[])
returns integer
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_account text;
    v_from timestamptz;
    v_start record;
    v_cur numeric;
    v_loose numeric;
    v_loose_other numeric;
    v_node record;
    v_verified bigint[] := '{}'::bigint[];
    v_count integer;
begin
    -- Per account, walk its SMS in the order of the time written in them, from the
    -- latest verified SMS before p_from (the earliest SMS that may change anything)
    -- to the newest. v_cur is the verified balance so far: an SMS is verified when
    -- v_cur plus its movement (with or without the movements that state no
    -- balance since: an attacker can add such SMS) is the balance it states. An
    -- SMS that does not link (junk, a forgery, one outside the time window) is
    -- stepped over and leaves v_cur as it was; a verified SMS (an anchor, or one
    -- an earlier walk verified) sets v_cur. A link to an unverified SMS verifies
    -- nothing, so forgeries that only link to each other stay unverified.
    for v_account, v_from in
        select a.account, min(a.from_ts)
        from unnest(p_accounts, p_from) as a (account, from_ts)
        where a.account is not null and a.from_ts is not null
        group by a.account
        order by a.account
    loop
        select p.txn_ts, p.id, p.balance into v_start
        from momo_parsed_txns as p
        where
            p.account = v_account and p.movement is not null and p.verified_at is not null
            and p.txn_ts < v_from
        order by p.txn_ts desc, p.id desc
        limit 1;

        v_cur := v_start.balance;
        v_loose := 0;
        v_loose_other := 0;

        -- ahead: the next verified SMS after each node (the one verified SMS of
        -- its group, counting verified SMS from the newest back). An SMS cannot
        -- slip in before a verified SMS that linked without it: of the two, one
        -- is forged (unless the later one is an anchor a person confirmed).
        for v_node in
            with stretch as (
                select
                    p.id, p.txn_ts, p.balance, p.movement, p.sms_time_ok, p.kind,
                    p.verified_how,
                    count(p.verified_how) over (order by p.txn_ts desc, p.id desc) as grp
                from momo_parsed_txns as p
                where
                    p.account = v_account and p.movement is not null
                    and p.txn_ts >= coalesce(v_start.txn_ts, v_from)
                    and (v_start.id is null or (p.txn_ts, p.id) > (v_start.txn_ts, v_start.id))
            )

            select
                s.*,
                max(case when s.verified_how is not null then s.balance end)
                    over (partition by s.grp) as next_balance,
                max(case when s.verified_how is not null then s.movement end)
                    over (partition by s.grp) as next_movement,
                max(s.verified_how) over (partition by s.grp) as next_how
            from stretch as s
            order by s.txn_ts, s.id
        loop
            if v_node.verified_how is not null then
                v_cur := v_node.balance;
                v_loose := 0;
                v_loose_other := 0;
            elsif v_node.sms_time_ok is false then
                null;
            elsif v_node.balance is null then
                v_loose := v_loose + v_node.movement;
                -- v_loose_other leaves out a bundle's Yello SMS, whose movement its
                -- *162* payment SMS states again with a balance
                if v_node.kind is distinct from 'bundle_purchase' then
                    v_loose_other := v_loose_other + v_node.movement;
                end if;
            elsif
                v_cur + v_node.movement = v_node.balance
                or v_cur + v_loose + v_node.movement = v_node.balance
                or v_cur + v_loose_other + v_node.movement = v_node.balance
            then
                if
                    v_node.next_how is null or v_node.next_how = 'anchor'
                    or v_node.balance + v_node.next_movement = v_node.next_balance
                then
                    v_verified := v_verified || v_node.id;
                    v_cur := v_node.balance;
                    v_loose := 0;
                    v_loose_other := 0;
                end if;
            end if;
        end loop;
    end loop;

    -- In id order, so parallel walks over one account lock its rows in one order.
    with marked as (
        update momo_parsed_txns as p
        set verified_at = now(), verified_how = 'chain'
        from (
            select x.id
            from momo_parsed_txns as x
            where x.id = any(v_verified) and x.verified_at is null
            order by x.id
            for update
        ) as v
        where p.id = v.id
        returning p.id
    )

    select count(*)::integer into v_count from marked;
    return v_count;
end;
$$;

comment on function _momo_balance_verify(text[], timestamptz[]) is
'The verified balance chain: for each account of p_accounts, walks its genuine SMS by the time '
'written in them from the latest verified SMS before the matching p_from, and marks verified '
'(momo_parsed_txns.verified_at, chain) each SMS whose balance is the verified balance so far plus '
'its movement (with or without the movements that state no balance since), within the time '
'window (sms_time_ok). SMS that do not link are stepped over; a link to an unverified SMS '
'verifies nothing. Returns how many it verified.';
