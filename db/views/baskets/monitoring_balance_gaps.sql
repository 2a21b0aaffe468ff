create or replace view monitoring.balance_gaps as
select g.*
from
    public._momo_balance_gaps((
        select s.value::interval
        from public.app_settings as s
        where s.key = 'MOMO_BALANCE_GAPS_LOOKBACK'
    )) as g
order by g.after_txn_ts desc, g.account asc;

comment on view monitoring.balance_gaps is
'One row per break in an account''s balance chain among the SMS parsed in the last '
'MOMO_BALANCE_GAPS_LOOKBACK: two '
'consecutive balance-stating genuine SMS of one account (by the time written in them) whose '
'balances do not link. account: the receiving account. before_inbox_id, after_inbox_id, '
'before_txn_ts, after_txn_ts: the SMS on each side and the times written in them. '
'balance_after_before: the balance the earlier SMS states; balance_before_after: the later SMS''s '
'balance less its own movement; explained_between: movements without a balance (bundles) in '
'between. missing_amount: the signed amount no SMS explains (positive: money arrived that we never '
'saw). The gateway may have dropped an SMS: check the phone''s inbox between those times. A forged '
'SMS leaves a gap on both sides. A gap closes by itself when the missing SMS arrives.';
