"""Six months of two savings groups' collection phones (tests/support/group_simulation.py):
after the treasurer has recognised each relative once, members' payments are allocated
by themselves to the right member of the right group, never to a wrong one, and no
outsider is ever credited."""

from __future__ import annotations

import pytest

from tests.support.group_simulation import Simulation, allocate_all, build, deliver


def treasurer_anchors_each_phone(admin) -> None:
    """Once, when a phone starts: the treasurer checks its MoMo balance and confirms the
    phone's first SMS as its anchor (balance_anchor_confirm); every later SMS must link."""
    for (inbox_id,) in admin.execute(
        """
        select distinct on (p.account) p.inbox_id
        from momo_parsed_txns as p
        where p.balance is not null
        order by p.account, p.txn_ts, p.id
        """
    ).fetchall():
        admin.execute(
            "select balance_anchor_confirm(%s, 'treasurer checked the phone''s balance')",
            (inbox_id,),
        )


def treasurer_recognises_relatives(admin, sim: Simulation, month: list, inbox: dict, known: set):
    """The treasurer resolves each relative's first open case once, remembering the payer."""
    for p in month:
        if p.payer != "relative" or p.payer_key in known:
            continue
        row = admin.execute(
            "select id from momo_unmatched where inbox_id = %s and status = 'open'",
            (inbox[p.txn_id],),
        ).fetchone()
        if row is None:
            continue
        admin.execute(
            "select unmatched_resolve(%s, 'her relative pays for her', %s, "
            "p_remember_payer => true)",
            (row[0], p.member_id),
        )
        known.add(p.payer_key)


@pytest.mark.parametrize("balance_check", ["off", "hold"])
def test_six_months_of_masked_payers_are_allocated_to_the_right_member(admin, balance_check):
    """With the balance chain off, and on (hold, the default) after the treasurer has
    anchored each phone once: the same payments, allocated the same way."""
    admin.execute(
        "update app_settings set value = %s where key = 'MOMO_BALANCE_CHECK'", (balance_check,)
    )
    sim = build(admin)
    known: set[str] = set()
    for number, month in enumerate(sim.months):
        inbox = deliver(admin, month)
        allocate_all(admin)
        if balance_check == "hold" and number == 0:
            treasurer_anchors_each_phone(admin)
            allocate_all(admin)
        treasurer_recognises_relatives(admin, sim, month, inbox, known)
    assert known == {"R-T01", "R-T08", "R-T20", "R-B03"}

    payments = [p for month in sim.months for p in month]
    credits = dict(
        admin.execute(
            "select txn_id, member_id from contributions_ledger where source = 'sms'"
        ).fetchall()
    )
    for_members = [p for p in payments if p.member_id is not None]
    right = [p for p in for_members if credits.get(p.txn_id) == p.member_id]
    wrong = [p for p in for_members if p.txn_id in credits and credits[p.txn_id] != p.member_id]
    outsiders = [p for p in payments if p.payer == "outsider" and p.txn_id in credits]
    share = len(right) / len(for_members)
    print(
        f"\ngroup simulation: {len(right)} of {len(for_members)} members' payments allocated "
        f"automatically ({share:.1%}), {len(wrong)} to a wrong member, "
        f"{len(outsiders)} of {sum(p.payer == 'outsider' for p in payments)} outsiders credited"
    )
    assert wrong == []
    assert outsiders == []
    assert share >= 0.95
    # every credit went to a member of the group whose phone received the money
    misplaced = admin.execute(
        """
        select count(*) from contributions_ledger as l
        join momo_parsed_txns as p on l.parsed_id = p.id
        join collection_accounts as a on p.account = a.account
        where l.ikimina_id <> a.ikimina_id
        """
    ).fetchone()
    assert misplaced == (0,)
    # the member of two groups was credited in each group by its own phone
    both = {g.name: g.members["T10"] for g in sim.groups}
    per_group = dict(
        admin.execute(
            "select g.name, count(*) from contributions_ledger as l join ibimina as g "
            "on l.ikimina_id = g.id where l.member_id = any(%s) group by g.name",
            (list(both.values()),),
        ).fetchall()
    )
    assert set(per_group) == set(both)


@pytest.mark.usefixtures("balance_check_off")
def test_the_simulated_phones_balances_chain(admin):
    """Each phone's SMS state balances that follow from one another (the chain can verify them)."""
    sim = build(admin)
    for month in sim.months:
        deliver(admin, month)
    admin.execute("update app_settings set value = 'hold' where key = 'MOMO_BALANCE_CHECK'")
    allocate_all(admin)
    breaks = admin.execute(
        """
        select count(*) from (
            select account, balance, movement,
                lag(balance) over (partition by account order by txn_ts, id) as previous
            from momo_parsed_txns where balance is not null
        ) as s
        where previous is not null and previous + movement <> balance
        """
    ).fetchone()
    assert breaks == (0,)
    assert admin.execute("select count(*) from momo_parsed_txns").fetchone()[0] == sum(
        len(m) for m in sim.months
    )
