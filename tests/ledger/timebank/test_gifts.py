"""Gifts and donations give only what a member has; grants fill the love bank from issuance."""

import pytest

from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.core.communities import member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.timebank import errors as tb
from ledger.timebank.gifts import LOVE_BANK, give, grant_to_love_bank


def minutes_of(session, member):
    return member_account(session, member.id, "minutes").id


def test_a_gift_of_minutes_moves_them_to_the_neighbour(session, wang, li, now):
    """王秀英 earned 90 minutes and gives 60 to 李建国."""
    community_id = wang.community_id
    grant_to_love_bank(
        session, community_id=community_id, unit="minutes", amount=90, reason="开办", now=now
    )
    love_bank = system_account(session, community_id, "love_bank", "minutes").id
    post_entry(
        session,
        EntryDraft(
            community_id,
            "service",
            [PostingDraft(love_bank, minutes_of(session, wang), "minutes", 90)],
        ),
        now=now,
    )
    give(session, giver_id=wang.id, to=li.id, unit="minutes", amount=60, memo="谢谢", now=now)
    assert current_balance(session, minutes_of(session, wang)).posted == 30
    assert current_balance(session, minutes_of(session, li)).posted == 60


def test_the_time_floor_is_credit_for_help_not_for_giving(session, wang, li, now):
    """With a ten-hour floor and nothing earned, 王秀英 may not give a single minute."""
    with pytest.raises(errors.InsufficientBalance) as refused:
        give(session, giver_id=wang.id, to=li.id, unit="minutes", amount=1, memo="", now=now)
    assert refused.value.numbers["floor"] == 0 and refused.value.numbers["balance"] == 0
    assert current_balance(session, minutes_of(session, wang)).posted == 0


def test_a_donation_goes_to_the_love_bank(session, community, wang, points_of, grant, now):
    """20 points donated by 王秀英 land in the love bank's points account."""
    grant(community, points_of(wang), 50)
    give(session, giver_id=wang.id, to=LOVE_BANK, unit="points", amount=20, memo="", now=now)
    love_bank = system_account(session, community.id, "love_bank", "points").id
    assert current_balance(session, love_bank).posted == 20
    assert current_balance(session, points_of(wang)).posted == 30


def test_gifts_name_a_neighbour_of_the_same_community_and_a_known_unit(
    session, wang, make_community, make_member, now
):
    """Oneself, a stranger elsewhere and an unknown unit are each refused."""
    stranger = make_member(make_community(slug="elsewhere", name="别处"))
    cases = [
        (wang.id, "points", tb.CannotGiveToSelf),
        (stranger.id, "points", tb.RecipientNotFound),
        (stranger.id, "hours", errors.UnknownUnit),
    ]
    for to, unit, error in cases:
        with pytest.raises(error):
            give(session, giver_id=wang.id, to=to, unit=unit, amount=1, memo="", now=now)
    with pytest.raises(errors.ReasonRequired):
        grant_to_love_bank(
            session, community_id=wang.community_id, unit="minutes", amount=5, reason="", now=now
        )
