"""API keys: random bearer tokens, stored as a SHA-256 of their secret and shown once.

A token reads ``<key id>.<secret>``; the secret carries 256 random bits, so a fast hash is enough
(a slow salted hash is for low-entropy PINs). Each key has one role and is bound to what it may
act for (its reach): staff to one community, integrators to one or more, a shop to its shop, a
member to itself. A staff key may also name the member its holder is in the community, so that
awards to the holder's own account wait for a second person (``ledger.approvals``).

A key's life: created (optionally with ``expires_at``), used (``last_used_at``, written at most
once per ``LAST_USED_RESOLUTION`` so a busy till does not write on every request), rotated (a new
secret for the same key id: the old secret stops working at once, while the id, reach, label,
expiry and the Idempotency-Keys scoped to the key stay), revoked.

:func:`verify` keeps a verified key in memory for at most ``KEY_CACHE_SECONDS`` (per engine, so
per process), which saves the two reads of the key and its communities on most requests. The
bound: a revocation or rotation made by another process takes effect there within
``KEY_CACHE_SECONDS``; one made in this process (API, command line) forgets the key at once;
an expiry is tested on every request against the cached ``expires_at``; a secret that does not
match the cached one is always looked up afresh, so a rotated key's new secret works at once.
"""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from . import errors
from .clock import as_utc
from .ids import new_id
from .models import ROLES, Account, ApiKey, Community, Member
from .paging import Page, keyset_page
from .per_engine import PerEngine

SECRET_BYTES = 32
# last_used_at is this coarse: one conditional UPDATE per key per interval, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
KEY_STATES = ("active", "expired", "revoked")
# How long a verified key is trusted from memory; the bound on another process's revocation.
KEY_CACHE_SECONDS = 30


class ApiKeyNotFound(errors.NotFound):
    slug = "api-key-not-found"
    title = "No such API key."


class ApiKeyRevoked(errors.Conflict):
    slug = "api-key-revoked"
    title = "This API key is revoked."


class ApiKeyExpired(errors.Conflict):
    slug = "api-key-expired"
    title = "This API key has expired; give it a new expiry."


class ExpiryNotInFuture(errors.Invalid):
    slug = "expiry-not-in-future"
    title = "A key's expiry must lie in the future."


class ReachMissing(errors.Invalid):
    slug = "api-key-reach-missing"
    title = "This role's key must name what it acts for."


@dataclass(frozen=True)
class KeySummary:
    """What may be shown of a key: everything but its secret (and the secret's hash)."""

    id: str
    role: str
    label: str
    community_slugs: tuple[str, ...]
    member_id: str | None
    shop_id: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    state: str


@dataclass(frozen=True)
class IssuedKey:
    """A key with its token: the only moment the token exists outside the caller's hands."""

    key: KeySummary
    token: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return secret, _digest(secret)


def _check_expiry(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is not None and as_utc(expires_at) <= now:
        raise ExpiryNotInFuture(expires_at=expires_at.isoformat(), now=now.isoformat())


def _shop_community(session: Session, shop_id: str | None) -> Community:
    if not shop_id:
        raise ReachMissing("a shop key needs the shop it acts for (shop_id)", role="shop")
    shop_account = session.scalar(
        sa.select(Account).where(Account.owner_id == shop_id, Account.kind == "shop")
    )
    if shop_account is None:
        raise errors.NotFound(f"no shop {shop_id}", shop=shop_id)
    return session.get_one(Community, shop_account.community_id)


def _member_community(session: Session, member_id: str | None) -> Community:
    if not member_id:
        raise ReachMissing("a member key needs the member it acts for (member_id)", role="member")
    member = session.get(Member, member_id)
    if member is None:
        raise errors.MemberNotFound(member=member_id)
    return member.community


def _reach(
    session: Session, role: str, slugs: Sequence[str], shop_id: str | None, member_id: str | None
) -> list[Community]:
    """The communities a new key belongs to, checked against what its role must name."""
    if member_id and role not in ("member", "staff"):
        raise errors.Invalid("only a member key, or a staff key of a resident, names a member")
    if shop_id and role != "shop":
        raise errors.Invalid("only a shop key names a shop")
    if role == "member":
        return [_member_community(session, member_id)]
    if role == "shop":
        return [_shop_community(session, shop_id)]
    communities = []
    for slug in slugs:
        community = session.scalar(sa.select(Community).where(Community.slug == slug))
        if community is None:
            raise errors.CommunityNotFound(slug=slug)
        communities.append(community)
    if role == "staff" and len(communities) != 1:
        raise ReachMissing("a staff key belongs to exactly one community", role="staff")
    # Staff who live in the community: the member they are (see ledger.approvals.rules).
    if role == "staff" and member_id and _member_community(session, member_id) != communities[0]:
        raise errors.Invalid("a staff key names a member of its own community")
    if role == "integrator" and not communities:
        raise ReachMissing("an integrator key needs at least one community", role="integrator")
    return communities


def create_key(
    session: Session,
    *,
    role: str,
    now: datetime,
    community_slugs: Sequence[str] = (),
    shop_id: str | None = None,
    member_id: str | None = None,
    label: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the token, which is never retrievable again."""
    if role not in ROLES:
        raise errors.Invalid(f"unknown role {role!r}", roles=list(ROLES))
    communities = _reach(session, role, community_slugs, shop_id, member_id)
    _check_expiry(expires_at, now)
    secret, digest = _new_secret()
    key = ApiKey(
        id=new_id("key"),
        secret_sha256=digest,
        role=role,
        member_id=member_id,
        shop_id=shop_id,
        label=label,
        created_at=now,
        expires_at=expires_at,
        communities=communities,
    )
    session.add(key)
    session.flush()
    return key, f"{key.id}.{secret}"


def issue_key(session: Session, *, now: datetime, **fields) -> IssuedKey:
    """create_key, answered as what may be shown of the key plus its token."""
    key, token = create_key(session, now=now, **fields)
    return IssuedKey(describe(key, now), token)


def is_live(key: ApiKey, now: datetime) -> bool:
    return key_state(key, now) == "active"


def key_state(key: ApiKey, now: datetime) -> str:
    """One of KEY_STATES; revoked wins over expired."""
    if key.revoked_at is not None:
        return "revoked"
    if key.expires_at is not None and key.expires_at <= now:
        return "expired"
    return "active"


def authenticate(session: Session, token: str, *, now: datetime) -> ApiKey | None:
    """The live key a token names, or None; compares digests in constant time."""
    key_id, _, secret = token.partition(".")
    if not key_id or not secret:
        return None
    key = session.get(ApiKey, key_id)
    if key is None or not is_live(key, now):
        return None
    if not hmac.compare_digest(key.secret_sha256, _digest(secret)):
        return None
    return key


@dataclass
class VerifiedKey:
    """What a request needs of its key, as verified: role, reach, expiry and last use."""

    id: str
    role: str
    community_ids: frozenset[str]
    member_id: str | None
    shop_id: str | None
    expires_at: datetime | None
    last_used_at: datetime | None
    secret_sha256: str
    verified_at: datetime


_verified: PerEngine[dict[str, VerifiedKey]] = PerEngine(dict)


def _fresh(found: VerifiedKey, now: datetime) -> bool:
    age = now - found.verified_at
    return timedelta(0) <= age < timedelta(seconds=KEY_CACHE_SECONDS)


def verify(session: Session, token: str, *, now: datetime) -> VerifiedKey | None:
    """:func:`authenticate`, answered from memory for up to KEY_CACHE_SECONDS (see above)."""
    key_id, _, secret = token.partition(".")
    if not key_id or not secret:
        return None
    cache = _verified.of(session)
    found = cache.get(key_id)
    if (
        found is not None
        and _fresh(found, now)
        and hmac.compare_digest(found.secret_sha256, _digest(secret))
    ):
        return found if found.expires_at is None or found.expires_at > now else None
    key = authenticate(session, token, now=now)
    if key is None:
        cache.pop(key_id, None)
        return None
    found = cache[key_id] = VerifiedKey(
        id=key.id,
        role=key.role,
        community_ids=frozenset(c.id for c in key.communities),
        member_id=key.member_id,
        shop_id=key.shop_id,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        secret_sha256=key.secret_sha256,
        verified_at=now,
    )
    return found


def forget_verified(session: Session, key_id: str) -> None:
    """Drop a key from this process's memory of verified keys (it was revoked or rotated)."""
    _verified.of(session).pop(key_id, None)


def use_is_due(key: ApiKey | VerifiedKey, now: datetime) -> bool:
    """Whether ``last_used_at`` is older than LAST_USED_RESOLUTION (read from the loaded key)."""
    return key.last_used_at is None or key.last_used_at <= now - LAST_USED_RESOLUTION


def record_use(session: Session, key_id: str, now: datetime) -> bool:
    """Stamp ``last_used_at`` unless it is younger than LAST_USED_RESOLUTION; True if written.

    One conditional UPDATE: of concurrent requests of one key that all saw a stale stamp, one
    writes and the others match no row.
    """
    stale_before = now - LAST_USED_RESOLUTION
    result = session.execute(
        sa.update(ApiKey)
        .where(
            ApiKey.id == key_id,
            sa.or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= stale_before),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE answers a CursorResult (with rowcount); Session.execute types it as any Result.
    return cast(CursorResult[Any], result).rowcount == 1


def get_key(session: Session, key_id: str) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyNotFound(f"no API key {key_id}", key=key_id)
    return key


def show_key(session: Session, key_id: str, now: datetime) -> KeySummary:
    return describe(get_key(session, key_id), now)


def describe(key: ApiKey, now: datetime) -> KeySummary:
    return KeySummary(
        id=key.id,
        role=key.role,
        label=key.label,
        community_slugs=tuple(c.slug for c in key.communities),
        member_id=key.member_id,
        shop_id=key.shop_id,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        state=key_state(key, now),
    )


def list_keys(session: Session, *, now: datetime, limit: int, cursor: str | None = None) -> Page:
    """Every key, revoked and expired ones included, newest first, as KeySummary items."""
    page = keyset_page(
        session, sa.select(ApiKey), ApiKey.id, limit=limit, cursor=cursor, newest_first=True
    )
    return Page([describe(key, now) for key in page.items], page.next_cursor)


def revoke(session: Session, key_id: str, now: datetime) -> ApiKey:
    """Revoke a key: it authenticates no more; revoking it again keeps the first time."""
    key = get_key(session, key_id)
    if key.revoked_at is None:
        key.revoked_at = now
        session.flush()
    forget_verified(session, key_id)
    return key


def revoke_key(session: Session, key_id: str, now: datetime) -> KeySummary:
    """revoke, answered as what may be shown of the key."""
    return describe(revoke(session, key_id, now), now)


def rotate_key(
    session: Session, key_id: str, now: datetime, *, expires_at: datetime | None = None
) -> IssuedKey:
    """Give a key a new secret (and, if given, a new expiry); the old secret fails at once.

    The same key id keeps its reach, label, history and the Idempotency-Keys scoped to it, so a
    till swaps one token for another and nothing else changes. A revoked key stays revoked; an
    expired one needs a new ``expires_at``, or the new token would be dead on arrival.
    """
    key = get_key(session, key_id)
    if key.revoked_at is not None:
        raise ApiKeyRevoked(key=key_id, revoked_at=key.revoked_at.isoformat())
    _check_expiry(expires_at, now)
    if expires_at is not None:
        key.expires_at = expires_at
    if key_state(key, now) == "expired":
        raise ApiKeyExpired(key=key_id, expires_at=key.expires_at.isoformat())
    secret, key.secret_sha256 = _new_secret()
    session.flush()
    forget_verified(session, key_id)
    return IssuedKey(describe(key, now), f"{key.id}.{secret}")
