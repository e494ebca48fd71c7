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


def _revoke_elsewhere(session, key_id, at):
    """Revoke the key as another process would: a plain UPDATE, not ``apikeys.revoke`` (which
    also forgets the key in this process)."""
    import sqlalchemy as sa

    from ledger.core.models import ApiKey

    session.execute(sa.update(ApiKey).where(ApiKey.id == key_id).values(revoked_at=at))
    session.commit()


def test_a_key_revoked_by_another_process_is_refused_within_the_cache_bound(
    session, community, now
):
    """Verified once, a key revoked elsewhere still passes from memory, and fails once
    KEY_CACHE_SECONDS have passed."""
    key, token = apikeys.create_key(session, role="staff", community_slugs=["qianjiang"], now=now)
    session.commit()
    assert apikeys.verify(session, token, now=now).id == key.id
    _revoke_elsewhere(session, key.id, now)
    soon = now + timedelta(seconds=apikeys.KEY_CACHE_SECONDS - 1)
    assert apikeys.verify(session, token, now=soon) is not None
    later = now + timedelta(seconds=apikeys.KEY_CACHE_SECONDS)
    assert apikeys.verify(session, token, now=later) is None


def test_a_key_revoked_or_rotated_in_this_process_is_forgotten_at_once(session, community, now):
    """revoke and rotate_key drop the key from memory: the old secret fails on the next call,
    a rotated key's new secret works at once."""
    rotated, old = apikeys.create_key(session, role="staff", community_slugs=["qianjiang"], now=now)
    revoked, token = apikeys.create_key(
        session, role="staff", community_slugs=["qianjiang"], now=now
    )
    assert apikeys.verify(session, old, now=now) is not None
    assert apikeys.verify(session, token, now=now) is not None
    new = apikeys.rotate_key(session, rotated.id, now).token
    apikeys.revoke(session, revoked.id, now)
    assert apikeys.verify(session, old, now=now) is None
    assert apikeys.verify(session, new, now=now).id == rotated.id
    assert apikeys.verify(session, token, now=now) is None


def test_a_cached_key_still_expires_on_time(session, community, now):
    """The cached expiry is tested on every call: a key past it fails even from memory."""
    expiry = now + timedelta(seconds=5)
    _, token = apikeys.create_key(
        session, role="staff", community_slugs=["qianjiang"], now=now, expires_at=expiry
    )
    assert apikeys.verify(session, token, now=now) is not None
    assert apikeys.verify(session, token, now=expiry) is None
