create or replace function credit_top_up(
    p_shop_id text,
    p_amount numeric,
    p_reference text,
    p_detail jsonb default null
)
returns "CreditTransaction"
language plpgsql
security definer
set search_path = pg_catalog, public, pg_temp
as $$
declare
    v_transaction public."CreditTransaction";
begin
    if p_shop_id is null or p_shop_id !~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' then
        raise exception 'shopId must be 1 to 64 letters, digits or _.:- , got %', quote_nullable(p_shop_id)
            using errcode = 'MM400', column = 'shopId';
    end if;
    perform public._require_money('amount', p_amount);
    if not public._has_visible_character(p_reference) or length(p_reference) > 128 then
        raise exception 'reference (the payment that bought the credits) is required, at most 128 characters'
            using errcode = 'MM400', column = 'reference';
    end if;
    if p_detail is not null and jsonb_typeof(p_detail) <> 'object' then
        raise exception 'detail must be a JSON object' using errcode = 'MM400', column = 'detail';
    end if;

    insert into public."Wallet" ("shopId") values (p_shop_id) on conflict do nothing;
    perform from public."Wallet" as w where w."shopId" = p_shop_id for update;

    -- The payment reference makes a retried top-up a no-op.
    insert into public."CreditTransaction" ("shopId", type, amount, reference, meta)
    values (p_shop_id, 'credit', p_amount, p_reference, coalesce(p_detail, '{}'))
    on conflict (reference) do nothing
    returning * into v_transaction;
    if not found then
        select * into v_transaction from public."CreditTransaction" as t where t.reference = p_reference;
        if v_transaction."shopId" <> p_shop_id or v_transaction.amount <> p_amount then
            raise exception 'reference % was already used: % credits to shop % (%)', p_reference,
                v_transaction.amount, v_transaction."shopId", v_transaction.id
                using errcode = 'MM409',
                hint = 'A retry must repeat the same shop and amount; a new payment needs a new reference.';
        end if;
        return v_transaction;
    end if;

    perform public._audit('credit_top_up', 'Wallet', p_shop_id, p_reference, null, to_jsonb(v_transaction));
    return v_transaction;
end;
$$;

comment on function credit_top_up(text, numeric, text, jsonb) is
'Credits service: adds credits to a shop''s wallet (created on first top-up) as a credit '
'transaction. p_reference is the payment that bought them: a retry with the same reference, '
'shop and amount returns the first transaction and adds nothing.';
