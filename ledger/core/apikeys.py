"""API keys: random bearer tokens, stored as a SHA-256 of their secret and shown once.

A token reads ``<key id>.<secret>``; the secret carries 256 random bits, so a fast hash is enough
(a slow salted hash is for low-entropy PINs). Each key has one role and is bound to what it may
act for: staff to one community, integrators to one or more, a shop to its shop, a member to
itself.
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import errors
from .ids import new_id
from .models import ROLES, Account, ApiKey, Community, Member

SECRET_BYTES = 32


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    session: Session,
    *,
    role: str,
    now: datetime,
    community_slugs: Sequence[str] = (),
    shop_id: str | None = None,
    member_id: str | None = None,
    label: str = "",
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the token, which is never retrievable again."""
    if role not in ROLES:
        raise errors.Invalid(f"unknown role {role!r}", roles=list(ROLES))
    communities = []
    for slug in community_slugs:
        community = session.scalar(sa.select(Community).where(Community.slug == slug))
        if community is None:
            raise errors.CommunityNotFound(slug=slug)
        communities.append(community)
    if role == "staff" and len(communities) != 1:
        raise errors.Invalid("a staff key belongs to exactly one community")
    if role == "integrator" and not communities:
        raise errors.Invalid("an integrator key needs at least one community")
    if role == "member":
        member = session.get(Member, member_id) if member_id else None
        if member is None:
            raise errors.MemberNotFound(member=member_id)
        communities = [member.community]
    elif member_id:
        raise errors.Invalid("only a member key names a member")
    if role == "shop":
        shop_account = (
            session.scalar(
                sa.select(Account).where(Account.owner_id == shop_id, Account.kind == "shop")
            )
            if shop_id
            else None
        )
        if shop_account is None:
            raise errors.NotFound(f"no shop {shop_id}", shop=shop_id)
        communities = [session.get(Community, shop_account.community_id)]
    elif shop_id:
        raise errors.Invalid("only a shop key names a shop")
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(
        id=new_id("key"),
        secret_sha256=_digest(secret),
        role=role,
        member_id=member_id,
        shop_id=shop_id,
        label=label,
        created_at=now,
        communities=communities,
    )
    session.add(key)
    session.flush()
    return key, f"{key.id}.{secret}"


def authenticate(session: Session, token: str) -> ApiKey | None:
    """The live key a token names, or None; compares digests in constant time."""
    key_id, _, secret = token.partition(".")
    if not key_id or not secret:
        return None
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_sha256, _digest(secret)):
        return None
    return key


def revoke(session: Session, key_id: str, now: datetime) -> ApiKey:
    """Revoke a key: it authenticates no more; revoking it again keeps the first time."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise errors.NotFound(f"no API key {key_id}", key=key_id)
    if key.revoked_at is None:
        key.revoked_at = now
        session.flush()
    return key
