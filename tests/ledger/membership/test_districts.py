"""Districts: clearing accounts per pair, moves as two entries, the pair's statement."""

import pytest
import sqlalchemy as sa

from ledger.core.balances import current_balance
from ledger.core.communities import member_account
from ledger.core.models import Account, Entry
from ledger.membership import districts, errors


@pytest.fixture
def meiyuan(session, community, make_community, now):
    """梅园街道 with 潜江社区 and 桃花社区."""
    district = districts.create_district(session, slug="meiyuan", name="梅园街道", now=now).district
    other = make_community("taohua", "桃花社区")
    for member in (community, other):
        districts.add_community(session, district, member, now=now)
    return district, community, other


def move(session, district, member, slug, minutes, now):
    return districts.move_minutes(
        session,
        district=district,
        member_id=member.id,
        to_community_slug=slug,
        minutes=minutes,
        now=now,
    )


def test_each_pair_gets_a_clearing_account_in_each_community(session, meiyuan, now):
    """Two communities: two clearing accounts, one each; adding again changes nothing."""
    district, a, b = meiyuan
    districts.add_community(session, district, a, now=now)
    kinds = session.scalars(sa.select(Account.community_id).where(Account.kind == "clearing"))
    assert sorted(kinds) == sorted([a.id, b.id])
    assert districts.district_view(session, district).communities == ["qianjiang", "taohua"]


def test_a_community_is_in_one_district(session, meiyuan, now):
    """Adding a community of 梅园街道 to another district is refused."""
    _, a, _ = meiyuan
    other = districts.create_district(session, slug="yuhu", name="雨湖区", now=now).district
    with pytest.raises(errors.CommunityInOtherDistrict):
        districts.add_community(session, other, a, now=now)


def test_a_move_is_two_entries_and_the_pair_nets_to_zero(session, meiyuan, wang, grant, now):
    """300 minutes leave A for B; each community has its entry; the clearings sum to zero."""
    district, a, b = meiyuan
    grant(a, member_account(session, wang.id, "minutes").id, 300, "minutes")
    made = move(session, district, wang, "taohua", 300, now)
    assert {session.get(Entry, e).community_id for e in (made.from_entry_id, made.to_entry_id)} == {
        a.id,
        b.id,
    }
    assert (
        current_balance(session, member_account(session, made.to_member_id, "minutes").id).posted
        == 300
    )
    statement = districts.pair_statement(session, district, a, b)
    assert (statement.net_minutes, statement.clearing_balance) == (300, 300)
    assert statement.clearing_balance + statement.counterparty_clearing_balance == 0


def test_she_moves_no_credit_of_the_time_floor(session, meiyuan, wang, now):
    """With 0 minutes and a −600 floor, a move of 1 minute is refused."""
    district, _, _ = meiyuan
    with pytest.raises(errors.MoveExceedsBalance):
        move(session, district, wang, "taohua", 1, now)


def test_a_move_within_her_own_community_is_refused(session, meiyuan, wang, now):
    """A move to her own community is a gift, not a move."""
    district, _, _ = meiyuan
    with pytest.raises(errors.MoveWithinCommunity):
        move(session, district, wang, "qianjiang", 1, now)


def test_a_pair_outside_the_district_has_no_statement(session, meiyuan, make_community):
    """A community with itself, or with one outside the district, is not a pair of it."""
    district, a, _ = meiyuan
    outside = make_community("yuhu", "雨湖社区")
    for counterparty in (a, outside):
        with pytest.raises(errors.ClearingPairNotFound):
            districts.pair_statement(session, district, a, counterparty)
