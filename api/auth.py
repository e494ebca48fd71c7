"""Who is calling, and what they may touch.

Every ``/v1`` request carries ``Authorization: Bearer <token>``. A missing, bad, revoked or expired
token is 401 (a verified key is kept in memory for at most ``apikeys.KEY_CACHE_SECONDS``: expiry
and a revocation made by this process take effect on the next request, one made by another
process within that bound); a role that may never call an endpoint is 403; another party's resource answers
404, exactly as one that does not exist, so a key cannot probe what others have.
"""

from dataclasses import dataclass
from functools import wraps

from flask import abort, g, request

from api.clock import now
from api.extensions import db
from api.openapi import V1_PREFIX
from api.problems import problem
from ledger.core import apikeys
from ledger.core.models import ApiKey


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    community_ids: frozenset[str]
    member_id: str | None
    shop_id: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def in_community(self, community_id: str) -> bool:
        return self.is_admin or community_id in self.community_ids

    def is_staff_of(self, community_id: str) -> bool:
        return self.is_admin or (self.role == "staff" and community_id in self.community_ids)

    def may_read(self, community_id: str, *, member_id=None, shop_id=None, api_key_id=None):
        """Staff of the community; or the member, shop or integrator key the resource is of."""
        if self.is_staff_of(community_id):
            return True
        own = {"member": member_id, "shop": shop_id, "integrator": api_key_id}.get(self.role)
        mine = {"member": self.member_id, "shop": self.shop_id, "integrator": self.key_id}
        return own is not None and own == mine[self.role]

    def may_read_account(self, account) -> bool:
        """Staff see their community's accounts; members and shops see only their own."""
        owner = account.owner_id
        return self.may_read(account.community_id, member_id=owner, shop_id=owner)


def principal_of(key: ApiKey | apikeys.VerifiedKey) -> Principal:
    """What a verified key (a request's, from the key cache; or a device's, as stored) may touch."""
    if isinstance(key, apikeys.VerifiedKey):
        community_ids = key.community_ids
    else:
        community_ids = frozenset(c.id for c in key.communities)
    return Principal(
        key_id=key.id,
        role=key.role,
        community_ids=community_ids,
        member_id=key.member_id,
        shop_id=key.shop_id,
    )


def load_principal():
    """before_request hook for /v1: authenticate, or answer 401."""
    if not request.path.startswith(V1_PREFIX) or request.method == "OPTIONS":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    at = now()
    key = apikeys.verify(db.session, token.strip(), now=at) if scheme.lower() == "bearer" else None
    if key is None:
        return problem(
            401,
            "unauthorized",
            "Unauthorized",
            "Send a valid API key as 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": 'Bearer realm="pointsbank"'},
        )
    g.principal = principal_of(key)
    if apikeys.use_is_due(key, at):
        _stamp_last_use(key.id, at)
        key.last_used_at = at
    return None


def _stamp_last_use(key_id: str, at) -> None:
    """Write last_used_at in a short transaction of its own, before the view's.

    The authenticating read is ended first: SQLite cannot turn a read snapshot into a write once
    another writer went first, and a GET must not hold the write lock while it runs.
    """
    db.session.commit()
    apikeys.record_use(db.session, key_id, at)
    db.session.commit()


def principal() -> Principal:
    return g.principal


def roles(*allowed: str):
    """Only these roles (and admin) may call the view at all; others get 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            who = principal()
            if not (who.is_admin or who.role in allowed):
                abort(403, f"a {who.role} key may not do this")
            return view(*args, **kwargs)

        return wrapper

    return decorate
