create or replace function _momo_amount(p_text text)
returns numeric
language sql
immutable
parallel safe
-- No SET clause, so the planner can inline it (only built-ins).
as $$
    select case
        when p_text ~ '^([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,16})(\.[0-9]{1,2})?$'
            and length(replace(p_text, ',', '')) <= 19
            and replace(p_text, ',', '')::numeric > 0
            then replace(p_text, ',', '')::numeric
    end;
$$;

comment on function _momo_amount(text) is
'An SMS amount (12,500 or 12500 or 12500.50) as numeric; null when it is malformed, zero or too '
'large to be a real payment.';
