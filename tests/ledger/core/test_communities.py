"""Communities and members open their accounts with the floors the rules give them."""

import pytest

from ledger.core import errors
from ledger.core.communities import (
    MIN_TIME_FLOOR_MINUTES,
    check_timezone,
    create_community,
    create_member,
    get_community,
    get_member,
    list_members,
    member_account,
    system_account,
)
from ledger.core.journal import UNFLOORED_SHARDS


def test_a_community_opens_issuance_unfloored_and_a_love_bank_that_cannot_owe(session, community):
    """Issuance has no floor and its shards; the love bank's floor is 0 in both units."""
    for unit in ("points", "minutes"):
        issuance = system_account(session, community.id, "issuance", unit)
        love_bank = system_account(session, community.id, "love_bank", unit)
        assert issuance.floor is None and len(issuance.balance_rows) == UNFLOORED_SHARDS
        assert love_bank.floor == 0 and len(love_bank.balance_rows) == 1
    assert get_community(session, "qianjiang").id == community.id


def test_a_member_may_owe_minutes_down_to_the_community_floor_but_never_points(
    session, community, wang
):
    """Points start at a floor of 0; minutes at the community's ten-hour floor."""
    assert member_account(session, wang.id, "points").floor == 0
    assert member_account(session, wang.id, "minutes").floor == -600
    assert get_member(session, wang.id).display_name == "王秀英"
    with pytest.raises(errors.MemberNotFound):
        get_member(session, "mem_NOPE")


def test_slugs_and_external_refs_are_unique_where_they_must_be(session, community, wang, now):
    """A second 潜江 community or a second R-wang in it is a conflict; R-wang elsewhere is fine."""
    with pytest.raises(errors.CommunityExists):
        create_community(session, slug="qianjiang", name="again", now=now)
    with pytest.raises(errors.MemberExists) as refused:
        create_member(session, community, external_ref="R-wang", display_name="again", now=now)
    assert refused.value.numbers["member"] == wang.id
    other = create_community(session, slug="xingguang", name="星光社区", now=now)
    assert create_member(session, other, external_ref="R-wang", display_name="王", now=now).id


def test_time_floors_and_zones_are_checked(session, now):
    """A floor below the minimum or above zero, or an unknown zone, is refused."""
    for floor in (MIN_TIME_FLOOR_MINUTES - 1, 1):
        with pytest.raises(errors.Invalid) as refused:
            create_community(session, slug="x", name="x", time_floor_minutes=floor, now=now)
        assert refused.value.numbers["time_floor_minutes"] == floor
    assert check_timezone("Asia/Shanghai") == "Asia/Shanghai"
    for name in ("America", "Mars/Olympus", "../etc/passwd"):
        with pytest.raises(errors.UnknownTimezone):
            check_timezone(name)


def test_members_are_listed_oldest_first_a_page_at_a_time(session, community, make_member):
    """Three members, two a page, in id order (ids made within one millisecond may tie on time)."""
    made = [make_member(community).id for _ in range(3)]
    first = list_members(session, community.id, limit=2)
    rest = list_members(session, community.id, limit=2, cursor=first.next_cursor)
    assert [m.id for m in first.items + rest.items] == sorted(made)
    assert rest.next_cursor is None
