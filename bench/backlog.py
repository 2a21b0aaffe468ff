"""Generates members and a backlog of mixed real-format MoMo SMS, in SQL.

Used by the concurrency tests and by `make bench-allocate`. Row i of the
backlog is of kind KINDS[i % 20], with a few exceptions every 1,000 rows
(FORGERIES), so the expected outcome of any backlog is known without reading
it back. The rows come from ACCOUNTS collection phones (ingest_source
`backlog-<n>`, the collection account of group n), 20 consecutive rows per
phone in turn, each SMS 7 seconds after the one before, its payers members of
that group; every genuine SMS states the account's true balance, so the
balance chain links them (see _momo_balance_links). As on a real MTN phone,
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

# by i % 1000 -> (description, expected inbox outcome, None: never delivered)
FORGERIES: dict[int, tuple[str, str | None]] = {
    500: ("a payment the gateway never forwarded (a gap in the chain)", None),
    959: ("forged payment from the operator's sender name, balance made up", "held"),
    979: ("forged payment texted from an ordinary phone", "unmatched"),
    999: ("junk naming the next row's transaction id", "unmatched"),
}


def expected_outcome(i: int, first: int) -> str | None:
    """Outcome of backlog row i when the backlog starts at row `first`."""
    if i % 1000 in FORGERIES:
        return FORGERIES[i % 1000][1]
    if i % 20 == 14 and (i - 14 < first or (i - 14) % 1000 == 500):
        return "allocated"  # the notification it repeats was never delivered
    return KINDS[i % 20][1]


def expected_outcomes(first: int, last: int) -> Counter[str]:
    """Outcome counts for the delivered backlog rows first..last (inclusive)."""
    outcomes = (expected_outcome(i, first) for i in range(first, last + 1))
    return Counter(o for o in outcomes if o is not None)


def delivered(first: int, last: int) -> int:
    """How many of the rows first..last reach the inbox."""
    return sum(expected_outcomes(first, last).values())


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
        case
            when i %% 1000 in (959, 979, 999) then 0
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

-- Row i-14 of the same block, for the repeated notification.
r as (
    select
        b.*,
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
        end as raw_text
    from r
    where i between %(first)s::integer and %(last)s::integer and i %% 1000 <> 500
)

insert into momo_sms_inbox (hash, raw_text, msisdn_raw, received_at, ingest_source)
select encode(sha256(convert_to(s.raw_text || '|' || s.sender || '|' || s.i, 'UTF8')), 'hex'),
       s.raw_text, s.sender, now(), s.account
from s
order by s.i
"""


def enqueue_mixed_sms(conn: psycopg.Connection, first: int, last: int, n_members: int) -> None:
    """Inserts backlog rows first..last straight into momo_sms_inbox (as the
    ingest function would store them: unique hash, the operator as sender but
    for the forgeries)."""
    conn.execute(
        BACKLOG_SQL,
        {
            "first": first,
            "last": last,
            "n_members": n_members,
            "accounts": ACCOUNTS,
            "per_group": PER_GROUP,
            "opening": OPENING_BALANCE,
        },
    )
