create or replace view monitoring.wallet_reconciliation as
-- Reservations and transactions are summed separately, per shop, before
-- joining: joining both to the wallet first (as the runbook's "Full
-- Reconciliation Query" does) multiplies each sum by the other's row count.
with reserved as (
    select
        r."shopId",
        sum(r.amount) as reserved
    from public."CreditReservation" as r
    where r.status = 'active'
    group by r."shopId"
),

ledger as (
    select
        t."shopId",
        coalesce(sum(t.amount) filter (where t.type = 'credit'), 0) as total_credited,
        coalesce(sum(t.amount) filter (where t.type = 'debit'), 0) as total_debited
    from public."CreditTransaction" as t
    group by t."shopId"
)

select
    w."shopId",
    w.balance::numeric as balance,
    coalesce(r.reserved, 0)::numeric as reserved,
    coalesce(l.total_credited, 0)::numeric as total_credited,
    coalesce(l.total_debited, 0)::numeric as total_debited,
    (w.balance - coalesce(r.reserved, 0))::numeric as available,
    (coalesce(l.total_credited, 0) - coalesce(l.total_debited, 0))::numeric as expected_balance,
    (w.balance - (coalesce(l.total_credited, 0) - coalesce(l.total_debited, 0)))::numeric as difference
from public."Wallet" as w
left join reserved as r on w."shopId" = r."shopId"
left join ledger as l on w."shopId" = l."shopId";

comment on view monitoring.wallet_reconciliation is
'SMS credit wallets reconciled against their ledger, one row per shop: "shopId"; balance '
'("Wallet".balance, metric wallet_balance); reserved (credits held by active reservations); '
'total_credited and total_debited (sums of "CreditTransaction" by type); available (balance - '
'reserved; below zero only when a late charge overdrew the wallet, alert '
'credit_wallets_overdrawn); expected_balance (total_credited - total_debited); difference '
'(balance - expected_balance, always 0 unless the wallet was changed outside the functions). '
'All amounts numeric.';
