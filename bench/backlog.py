"""Generates members and a backlog of mixed real-format MoMo SMS, in SQL.

Used by the concurrency tests and by `make bench-allocate`. Row i of the
backlog is of kind KINDS[i % 20], so the expected outcome of any backlog is
known without reading it back.
"""

from __future__ import annotations

from collections import Counter

import psycopg

# kind of SMS by i % 20 -> (description, expected inbox outcome)
KINDS: dict[int, tuple[str, str]] = {
    **{k: ("p2p received, full number of a member", "allocated") for k in range(12)},
    12: ("p2p received, masked number, no code", "unmatched"),
    13: ("p2p received, masked number, member code in note", "allocated"),
    14: ("repeat of row i-14's transaction id", "duplicate"),
    15: ("payment out", "skipped"),
    16: ("transfer out", "skipped"),
    17: ("bank deposit (no payer)", "unmatched"),
    18: ("reversal of own transfer", "skipped"),
    19: ("unknown text", "unmatched"),
}


def expected_outcome(i: int, first: int) -> str:
    """Outcome of backlog row i when the backlog starts at row `first`."""
    if i % 20 == 14 and i - 14 < first:
        return "allocated"  # the transaction it repeats is not in this backlog
    return KINDS[i % 20][1]


def expected_outcomes(first: int, last: int) -> Counter[str]:
    """Outcome counts for backlog rows first..last (inclusive)."""
    return Counter(expected_outcome(i, first) for i in range(first, last + 1))


def create_members(conn: psycopg.Connection, n_members: int, per_group: int = 20) -> None:
    """n_members active members in groups of `per_group`; member m has phone
    +25078 followed by m on 7 digits and member code M-<m>."""
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


def enqueue_mixed_sms(conn: psycopg.Connection, first: int, last: int, n_members: int) -> None:
    """Inserts backlog rows first..last straight into momo_sms_inbox (as the
    ingest function would store them: unique hash, operator as sender)."""
    conn.execute(
        r"""
        insert into momo_sms_inbox (hash, raw_text, msisdn_raw, received_at, ingest_source)
        select encode(sha256(convert_to(s.raw_text || '|M-Money|' || s.i, 'UTF8')), 'hex'),
               s.raw_text, 'M-Money', now(), 'backlog'
        from (
            select i, case i %% 20
                when 12 then format(
                    'You have received %%s RWF from Member Number%%s (*********%%s) on your mobile '
                    'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                    'Financial Transaction Id: %%s.',
                    amount, m, right(lpad(m::text, 7, '0'), 3), ts, amount * 3, 10000000000 + i)
                when 13 then format(
                    'You have received %%s RWF from Member Number%%s (*********%%s) on your mobile '
                    'money account at %%s. Message from sender: M-%%s. Your new balance:%%s RWF. '
                    'Financial Transaction Id: %%s.',
                    amount, m, right(lpad(m::text, 7, '0'), 3), ts, m, amount * 3, 10000000000 + i)
                when 14 then format(
                    'You have received %%s RWF from Member Number%%s (25078%%s) on your mobile '
                    'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                    'Financial Transaction Id: %%s.',
                    amount, m, lpad(m::text, 7, '0'), ts, amount * 5, 10000000000 + i - 14)
                when 15 then format(
                    'TxId: %%s. Your payment of %%s RWF to Shop %%s 40213 has been completed at '
                    '%%s. Your new balance: 13,700 RWF. Fee was 0 RWF.',
                    10000000000 + i, to_char(amount, 'FM999,999'), m, ts)
                when 16 then format(
                    '*165*S*%%s RWF transferred to Member Number%%s (25078%%s) from 36500000 at '
                    '%%s . Fee was: 100 RWF. New balance: 6600 RWF.*EN#',
                    amount, m, lpad(m::text, 7, '0'), ts)
                when 17 then format(
                    '*113*R*A bank deposit of %%s RWF has been added to your mobile money account '
                    'at %%s. Your NEW BALANCE :25200 RWF. '
                    'Cash Deposit::CASH::::0::250780000000.*EN#',
                    amount, ts)
                when 18 then format(
                    '*143*S*Your transaction to Member Number%%s (25078%%s) with %%s RWF has been '
                    'reversed at %%s. Your new balance is 10312 RWF. .*EN#',
                    m, lpad(m::text, 7, '0'), amount, ts)
                when 19 then format('Hello %%s, your bundle expires soon. Ref %%s', m, i)
                else format(
                    'You have received %%s RWF from Member Number%%s (25078%%s) on your mobile '
                    'money account at %%s. Message from sender: . Your new balance:%%s RWF. '
                    'Financial Transaction Id: %%s.',
                    amount, m, lpad(m::text, 7, '0'), ts, amount * 2, 10000000000 + i)
                end as raw_text
            from (
                select
                    i,
                    (i::bigint * 7919) %% %(n_members)s::integer + 1 as m,
                    1000 + (i %% 50) * 100 as amount,
                    to_char(timestamp '2024-01-01 08:15:40' + (i %% 365) * interval '1 day'
                        + (i %% 3600) * interval '1 second', 'YYYY-MM-DD HH24:MI:SS') as ts
                from generate_series(%(first)s::integer, %(last)s::integer) as i
            ) as g
        ) as s
        order by s.i
        """,
        {"first": first, "last": last, "n_members": n_members},
    )
