"""Balances: the cached figures, the balance at an instant and the running statement."""

from datetime import timedelta

import pytest

from ledger.core import balances, errors
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry


def transfer(session, community, source, target, amount, at, pending=False):
    draft = EntryDraft(
        community.id, "transfer", [PostingDraft(source, target, "points", amount)], pending=pending
    )
    return post_entry(session, draft, now=at)


def member_points(session, member):
    return member_account(session, member.id, "points").id


def test_issuance_balance_is_the_sum_over_its_shards(session, community, make_member, grant):
    """Awards to many residents spread over issuance shards; the balance adds them all up."""
    members = [make_member(community) for _ in range(6)]
    for member in members:
        grant(community, member_points(session, member), 25)
    issuance = system_account(session, community.id, "issuance", "points").id
    figures = balances.current_balance(session, issuance)
    assert figures.posted == -150
    assert balances.current_balances(session, [issuance])[issuance] == figures


def test_balance_as_of_counts_only_entries_posted_by_then(
    session, community, wang, li, points_of, grant, now
):
    """Yesterday's balance ignores today's gift; a hold never counts until captured."""
    grant(community, points_of(wang), 100)
    transfer(session, community, points_of(wang), points_of(li), 30, now + timedelta(days=1))
    transfer(session, community, points_of(wang), points_of(li), 5, now, pending=True)
    assert balances.balance_as_of(session, points_of(wang), now) == 100
    assert balances.balance_as_of(session, points_of(wang), now + timedelta(days=1)) == 70
    assert balances.balance_as_of(session, points_of(li), now - timedelta(seconds=1)) == 0


def test_a_statement_runs_the_balance_across_pages(
    session, community, wang, li, points_of, grant, now
):
    """Three lines two per page: the second page opens with the balance the first ended on."""
    grant(community, points_of(wang), 100)
    transfer(session, community, points_of(wang), points_of(li), 30, now + timedelta(hours=1))
    transfer(session, community, points_of(li), points_of(wang), 10, now + timedelta(hours=2))
    first = balances.statement(session, points_of(wang), limit=2)
    assert [(line.amount, line.balance) for line in first.items] == [(100, 100), (-30, 70)]
    second = balances.statement(session, points_of(wang), limit=2, cursor=first.next_cursor)
    assert [(line.amount, line.balance) for line in second.items] == [(10, 80)]
    assert second.next_cursor is None


def test_a_statement_window_is_inclusive_from_and_exclusive_to(
    session, community, wang, li, points_of, grant, now
):
    """Only the gift posted inside [from, to) is listed."""
    grant(community, points_of(wang), 100)
    later = now + timedelta(hours=1)
    transfer(session, community, points_of(wang), points_of(li), 30, later)
    page = balances.statement(session, points_of(wang), from_=later, to=later + timedelta(hours=1))
    assert [(line.amount, line.balance) for line in page.items] == [(-30, 70)]
    assert balances.statement(session, points_of(wang), from_=now, to=now).items == []
    with pytest.raises(errors.Invalid):
        balances.statement(session, points_of(wang), limit=0)


def test_a_hold_past_its_expiry_stops_counting_on_both_sides_given_now(
    session, community, wang, li, points_of, grant, now
):
    """Before its expiry a hold is pending out for the giver and in for the receiver; after, neither."""
    grant(community, points_of(wang), 100)
    draft = EntryDraft(
        community.id,
        "transfer",
        [PostingDraft(points_of(wang), points_of(li), "points", 40)],
        pending=True,
        expires_at=now + timedelta(minutes=5),
    )
    post_entry(session, draft, now=now)
    accounts = [points_of(wang), points_of(li)]
    before = balances.current_balances(session, accounts, now=now)
    assert before[points_of(wang)] == balances.Balance(100, 0, 40)
    assert before[points_of(li)] == balances.Balance(0, 40, 0)
    after = balances.current_balances(session, accounts, now=now + timedelta(minutes=5))
    assert after[points_of(wang)] == balances.Balance(100, 0, 0)
    assert after[points_of(li)] == balances.Balance(0, 0, 0)
    # Without ``now`` the cached figures are given as they are, expired hold and all.
    assert balances.current_balances(session, accounts)[points_of(wang)].pending_out == 40


def test_current_balances_answers_every_account_asked_for(
    session, community, wang, points_of, grant, now
):
    """An account without balance rows reads as zero; asking for none reads nothing."""
    grant(community, points_of(wang), 7)
    found = balances.current_balances(session, [points_of(wang), "acc_none"], now=now)
    assert found == {points_of(wang): balances.Balance(7, 0, 0), "acc_none": balances.ZERO}
    assert balances.current_balances(session, [], now=now) == {}
