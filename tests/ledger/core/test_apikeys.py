"""API keys: each role names what it must, and only the exact token authenticates."""

from datetime import timedelta

import pytest

from ledger.core import apikeys, errors


def test_a_token_authenticates_its_key_and_nothing_else(session, community, now):
    """The token given once finds the key; a wrong secret, a bare id or a revoked key do not."""
    key, token = apikeys.create_key(session, role="staff", community_slugs=["qianjiang"], now=now)
    assert apikeys.authenticate(session, token, now=now) is key
    assert key.secret_sha256 not in token
    key_id, _, secret = token.partition(".")
    assert apikeys.authenticate(session, f"{key_id}.{secret[:-1]}x", now=now) is None
    assert apikeys.authenticate(session, key_id, now=now) is None
    key.revoked_at = now + timedelta(minutes=1)
    assert apikeys.authenticate(session, token, now=now) is None


def test_each_role_names_exactly_what_it_needs(session, community, wang, make_community, now):
    """Staff: one community; integrator: some; member: a member; others may not name one."""
    make_community(slug="xingguang", name="星光社区")
    cases = [
        ({"role": "staff", "community_slugs": ["qianjiang", "xingguang"]}, errors.Invalid),
        ({"role": "integrator"}, errors.Invalid),
        ({"role": "member"}, apikeys.ReachMissing),
        ({"role": "admin", "member_id": wang.id}, errors.Invalid),
        ({"role": "shop", "shop_id": "shop_NOPE"}, errors.NotFound),
        ({"role": "root"}, errors.Invalid),
        ({"role": "staff", "community_slugs": ["nowhere"]}, errors.CommunityNotFound),
    ]
    for fields, error in cases:
        with pytest.raises(error):
            apikeys.create_key(session, now=now, **fields)


def test_member_and_shop_keys_belong_to_their_own_community(session, community, wang, shop, now):
    """A member key and a shop key each carry the one community they live in."""
    member_key, _ = apikeys.create_key(session, role="member", member_id=wang.id, now=now)
    shop_key, _ = apikeys.create_key(session, role="shop", shop_id=shop.id, now=now)
    assert [c.slug for c in member_key.communities] == ["qianjiang"]
    assert [c.slug for c in shop_key.communities] == ["qianjiang"]


def test_a_staff_key_may_name_its_holders_own_member_record_only(
    session, community, wang, make_community, make_member, now
):
    """Staff who live in the community may name themselves; a member elsewhere is refused."""
    key, _ = apikeys.create_key(
        session, role="staff", community_slugs=[community.slug], member_id=wang.id, now=now
    )
    assert key.member_id == wang.id
    elsewhere = make_member(make_community("taohua", "桃花社区"))
    with pytest.raises(errors.Invalid):
        apikeys.create_key(
            session, role="staff", community_slugs=[community.slug], member_id=elsewhere.id, now=now
        )
