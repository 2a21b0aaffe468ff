"""Generates members and a backlog of mixed real-format MoMo SMS, in SQL.

Used by the concurrency tests and by `make bench-allocate`. Row i of the
backlog is of kind KINDS[i % 20], with a few exceptions every 1,000 rows
(FORGERIES), so the expected outcome of any backlog is known without reading
it back. The rows come from ACCOUNTS collection phones (ingest_source
`backlog-<n>`, the collection account of group n), 20 consecutive rows per
phone in turn, each SMS 7 seconds after the one before and received by the
phone 20 seconds after the time written in it, its payers members of that
group; every genuine SMS states the account's true balance, so the verified
balance chain links them (see _momo_balance_verify). Before the backlog, each
phone's balance is confirmed by a person: one payment out per account,
allocated and made an anchor with balance_anchor_confirm. As on a real MTN phone,
most payments show the payer's number masked but for its last three digits,
with the name the SIM was registered under (here "NUMBER<m> MEMBER" for the
member listed as "Member Number<m>") and no note.
"""

from __future__ import annotations

from collections import Counter

import psycopg

ACCOUNTS = 50
PER_GROUP = 20
OPENING_BALANCE = 10_000_000

# kind of SMS by i % 20 -> (description, expected inbox outcome)
KINDS: dict[int, tuple[str, str]] = {
    **{k: ("p2p received, full number of a member", "allocated") for k in range(4)},
    **{k: ("p2p received, masked number, member's SIM name", "allocated") for k in range(4, 12)},
    12: ("p2p received, masked number, an outsider's name", "unmatched"),
    13: ("p2p received, masked number, member code in note", "allocated"),
    14: ("row i-14's notification delivered again", "duplicate"),
    15: ("payment out", "skipped"),
    16: ("transfer out", "skipped"),
    17: ("bank deposit (no payer)", "unmatched"),
    18: ("reversal of own transfer", "skipped"),
    19: ("unknown text", "unmatched"),
}

# by i % 1000 -> (description, expected inbox outcome)
FORGERIES: dict[int, tuple[str, str | None]] = {
    # forwarded last, after its repeat (row 514) filled the gap (expected_outcome)
    500: ("a payment the gateway forwarded late (a gap in the chain meanwhile)", "duplicate"),
    919: ("row 915's payment notified again in the plain template", "duplicate"),
    939: ("junk payment out from the operator's sender name, balance made up", "skipped"),
    959: ("forged payment from the operator's sender name, balance made up", "held"),
    979: ("forged payment texted from an ordinary phone", "unmatched"),
    999: ("junk naming the next row's transaction id", "unmatched"),
}


def expected_outcome(i: int, first: int, last: int) -> str | None:
    """Outcome of backlog row i when the backlog is rows `first`..`last`."""
    if i % 1000 == 500 and i + 14 > last:
        return "allocated"  # its repeat (row i+14) is not in the backlog
    if i % 1000 in FORGERIES:
        return FORGERIES[i % 1000][1]
    if i % 20 == 14 and (i - 14 < first or (i - 14) % 1000 == 500):
        return "allocated"  # the notification it repeats was never delivered
    return KINDS[i % 20][1]


def openings(first: int, last: int) -> int:
    """How many accounts rows first..last come from: one opening SMS (anchor) each."""
    return len({(i // 20) % ACCOUNTS for i in range(first, min(last, first + 20 * ACCOUNTS) + 1)})


def expected_outcomes(first: int, last: int) -> Counter[str]:
    """Outcome counts of the inbox after rows first..last (inclusive) are allocated: the
    backlog's rows and the accounts' openings (payments out: skipped)."""
    outcomes = (expected_outcome(i, first, last) for i in range(first, last + 1))
    counts = Counter(o for o in outcomes if o is not None)
    counts["skipped"] += openings(first, last)
    return counts


def delivered(first: int, last: int) -> int:
    """How many of the rows first..last the allocator processes (the openings are
    processed when the backlog is enqueued)."""
    return sum(expected_outcomes(first, last).values()) - openings(first, last)


def create_members(conn: psycopg.Connection, n_members: int, per_group: int = PER_GROUP) -> None:
    """n_members active members in groups of `per_group`; member m has phone
    +25078 followed by m on 7 digits and member code M-<m>. The account
    `backlog-<n>` collects for group n (n < ACCOUNTS)."""
    assert n_members >= ACCOUNTS * per_group, "every collection phone needs its group"
    conn.execute(
        """
        insert into ibimina (id, name)
        select ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'Group ' || g
        from generate_series(0, (%(n)s::integer - 1) / %(per)s::integer) as g
        """,
        {"n": n_members, "per": per_group},
    )
    conn.execute(
        """
        with people as (
            insert into profiles (whatsapp_e164, display_name)
            select '+25078' || lpad(m::text, 7, '0'), 'Member Number' || m
            from generate_series(1, %(n)s::integer) as m
            returning user_id, whatsapp_e164
        )
        insert into ibimina_members (ikimina_id, user_id, member_code)
        select
            ('00000000-0000-0000-0000-' || lpad(
                ((right(p.whatsapp_e164, 7)::integer - 1) / %(per)s::integer)::text, 12, '0'
            ))::uuid,
            p.user_id,
            'M-' || right(p.whatsapp_e164, 7)::integer
        from people as p
        """,
        {"n": n_members, "per": per_group},
    )
    conn.execute(
        """
        insert into collection_accounts (account, ikimina_id)
        select 'backlog-' || g, ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid
        from generate_series(0, %(accounts)s::integer - 1) as g
        """,
        {"accounts": ACCOUNTS},
    )


# Rows first..last of the backlog, with each account's running balance computed
# from row 0 so that any stretch of the backlog states the true balances.
BACKLOG_SQL = r"""
with g as (
    select
        i,
        'backlog-' || (i / 20) %% %(accounts)s::integer as account,
        -- a member of the group whose phone (account) received the SMS
        ((i / 20) %% %(accounts)s::integer) * %(per_group)s::integer
            + (i::bigint * 7919) %% %(per_group)s::integer + 1 as m,
        1000 + (i %% 50) * 100 as amount,
        to_char(timestamp '2024-01-01 08:15:40' + i * interval '7 seconds',
            'YYYY-MM-DD HH24:MI:SS') as ts,
        (timestamp '2024-01-01 08:15:40' + i * interval '7 seconds')
            at time zone 'Africa/Kigali' as at,
        case
            when i %% 1000 in (919, 939, 959, 979, 999) then 0
            when i %% 20 in (14, 19) then 0
            when i %% 20 = 15 then -(1000 + (i %% 50) * 100)
            when i %% 20 = 16 then -(1000 + (i %% 50) * 100) - 100
            else 1000 + (i %% 50) * 100
        end as movement
    from generate_series(0, %(last)s::integer) as i
),

-- The account's true balance after each row (row 500 of each thousand
-- moved money although its SMS never arrives).
b as (
    select
        g.*,
        %(opening)s::bigint + sum(g.movement) over (partition by g.account order by g.i)
            as balance
    from g
),

-- Row i-14 of the same block, for the repeated notification (and row i-4
-- for the payment notified again in the plain template).
r as (
    select
        b.*,
        lag(b.amount, 4) over (order by b.i) as amount4,
        lag(b.m, 4) over (order by b.i) as m4,
        lag(b.ts, 4) over (order by b.i) as ts4,
        lag(b.balance, 4) over (order by b.i) as balance4,
        lag(b.m, 14) over (order by b.i) as m14,
        lag(b.amount, 14) over (order by b.i) as amount14,
        lag(b.ts, 14) over (order by b.i) as ts14,
        lag(b.balance, 14) over (order by b.i) as balance14
    from b
),

s as (
    select
        i, account,
        case when i %% 1000 = 979 then '+250781234567' else 'M-Money' end as sender,
        case
            when i %% 1000 in (959, 979) then format(
                'You have received %%s RWF from Member Number%%s (25078%%s) on your mobile '
                'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                'Financial Transaction Id: %%s.',
                amount, m, lpad(m::text, 7, '0'), ts, 4321, 20000000000 + i)
            when i %% 1000 = 999 then format('hello TxId: %%s', 10000000000 + i + 1)
            when i %% 1000 = 919 then format(
                'Your payment of %%s RWF to Shop %%s (250784445566) has been completed at %%s. '
                'Message: . Your new balance: %%s RWF. Fee was 0 RWF. '
                'Financial Transaction Id: %%s.',
                amount4, m4, ts4, balance4, 10000000000 + i - 4)
            when i %% 1000 = 939 then format(
                'TxId: %%s. Your payment of %%s RWF to Shop %%s 40213 has been completed at '
                '%%s. Your new balance: 777 RWF. Fee was 0 RWF.',
                20000000000 + i, to_char(amount, 'FM999,999'), m, ts)
            when i %% 20 between 4 and 11 then format(
                'You have received %%s RWF from NUMBER%%s MEMBER (*********%%s) on your mobile '
                'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                'Financial Transaction Id: %%s.',
                amount, m, right(lpad(m::text, 7, '0'), 3), ts, balance, 10000000000 + i)
            when i %% 20 = 12 then format(
                'You have received %%s RWF from Visitor PERSON%%s (*********%%s) on your mobile '
                'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                'Financial Transaction Id: %%s.',
                amount, i, right(lpad(m::text, 7, '0'), 3), ts, balance, 10000000000 + i)
            when i %% 20 = 13 then format(
                'You have received %%s RWF from Member Number%%s (*********%%s) on your mobile '
                'money account at %%s. Message from sender: M-%%s. Your new balance:%%s RWF. '
                'Financial Transaction Id: %%s.',
                amount, m, right(lpad(m::text, 7, '0'), 3), ts, m, balance, 10000000000 + i)
            when i %% 20 = 14 then format(
                'You have received %%s RWF from Member Number%%s (25078%%s) on your mobile '
                'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                'Financial Transaction Id: %%s.',
                amount14, m14, lpad(m14::text, 7, '0'), ts14, balance14, 10000000000 + i - 14)
            when i %% 20 = 15 then format(
                'TxId: %%s. Your payment of %%s RWF to Shop %%s 40213 has been completed at '
                '%%s. Your new balance: %%s RWF. Fee was 0 RWF.',
                10000000000 + i, to_char(amount, 'FM999,999'), m, ts,
                to_char(balance, 'FM999,999,999'))
            when i %% 20 = 16 then format(
                '*165*S*%%s RWF transferred to Member Number%%s (25078%%s) from 36500000 at '
                '%%s . Fee was: 100 RWF. New balance: %%s RWF.*EN#',
                amount, m, lpad(m::text, 7, '0'), ts, balance)
            when i %% 20 = 17 then format(
                '*113*R*A bank deposit of %%s RWF has been added to your mobile money account '
                'at %%s. Your NEW BALANCE :%%s RWF. '
                'Cash Deposit::CASH::::0::250780000000.*EN#',
                amount, ts, balance)
            when i %% 20 = 18 then format(
                '*143*S*Your transaction to Member Number%%s (25078%%s) with %%s RWF has been '
                'reversed at %%s. Your new balance is %%s RWF. .*EN#',
                m, lpad(m::text, 7, '0'), amount, ts, balance)
            when i %% 20 = 19 then format('Hello %%s, your bundle expires soon. Ref %%s', m, i)
            else format(
                'You have received %%s RWF from Member Number%%s (25078%%s) on your mobile '
                'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                'Financial Transaction Id: %%s.',
                amount, m, lpad(m::text, 7, '0'), ts, balance, 10000000000 + i)
        end as raw_text,
        at + interval '20 seconds' as received_at
    from r
    where i between %(first)s::integer and %(last)s::integer and not %(openings)s
),

-- Each account's opening: a payment out just before its first row, stating the
-- balance then (a person confirms it as the account's anchor).
o as (
    select distinct on (b.account)
        -1 as i, b.account, 'M-Money' as sender,
        format(
            'TxId: %%s. Your payment of 100 RWF to Shop OPENING 40213 has been completed at %%s. '
            'Your new balance: %%s RWF. Fee was 0 RWF.',
            30000000000 + b.i,
            to_char(
                b.at at time zone 'Africa/Kigali' - interval '1 second', 'YYYY-MM-DD HH24:MI:SS'
            ),
            b.balance - b.movement
        ) as raw_text,
        b.at - interval '1 second' + interval '20 seconds' as received_at
    from b
    -- (from row first-14: a repeat in the backlog may notify a row before it)
    where b.i between %(first)s::integer - 14 and %(last)s::integer and %(openings)s
    order by b.account, b.i
)

insert into momo_sms_inbox (hash, raw_text, msisdn_raw, received_at, ingest_source)
select encode(sha256(convert_to(x.raw_text || '|' || x.sender || '|' || x.i, 'UTF8')), 'hex'),
       x.raw_text, x.sender, x.received_at, x.account
from (select * from s union all select * from o) as x
-- the late payments (row 500 of each thousand) are forwarded after all the others
order by x.i %% 1000 = 500, x.i
"""


def enqueue_mixed_sms(conn: psycopg.Connection, first: int, last: int, n_members: int) -> None:
    """Inserts backlog rows first..last straight into momo_sms_inbox (as the
    ingest function would store them: unique hash, the operator as sender but
    for the forgeries). First, on an empty inbox, each account's opening SMS is
    allocated and confirmed as its anchor (balance_anchor_confirm)."""
    params = {
        "first": first,
        "last": last,
        "n_members": n_members,
        "accounts": ACCOUNTS,
        "per_group": PER_GROUP,
        "opening": OPENING_BALANCE,
    }
    conn.execute(BACKLOG_SQL, {**params, "openings": True})
    opened = [r[0] for r in conn.execute("select id from momo_sms_inbox order by id").fetchall()]
    conn.execute("select momo_allocate(%s)", (len(opened),))
    for inbox_id in opened:
        conn.execute(
            "select balance_anchor_confirm(%s, 'bench: the phone''s balance checked')", (inbox_id,)
        )
    conn.execute(BACKLOG_SQL, {**params, "openings": False})
