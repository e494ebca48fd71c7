"""Sign-in cards: single-use tokens that start a resident's session.

Invariants: only a token's SHA-256 is stored; a token signs in at most once (the spending UPDATE
is conditional on ``used_at IS NULL``, so two concurrent uses cannot both win); issuing a new card
for a member revokes her earlier unused tokens, which is how a lost card is cancelled.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from .clock import as_utc
from .errors import NotFound, Refused
from .ids import new_id
from .models import Community, Member, SigninToken

# 16 random bytes: 128 bits, as the brief of a bearer secret printed on paper asks.
TOKEN_BYTES = 16
# A printed card stays valid for a season: long enough to hand out, short enough to age out.
CARD_VALIDITY = timedelta(days=90)
TOKEN_ID_PREFIX = "sgn"


class SigninTokenUnknown(NotFound):
    slug = "signin-token-unknown"
    title = "This sign-in link is not known."


class SigninTokenSpent(Refused):
    """The rule: a card's link signs in once; a used, replaced or expired one never again."""

    slug = "signin-token-spent"
    title = "This sign-in link has already been used, replaced or has expired."


class MemberRefUnknown(NotFound):
    slug = "member-ref-unknown"
    title = "No member of this community has that reference."


@dataclass(frozen=True)
class Card:
    """What a printed card carries: the member and the token in clear (never stored)."""

    member: Member
    token: str
    expires_at: datetime


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _members_to_card(session: Session, community: Community, refs) -> list[Member]:
    query = sa.select(Member).where(Member.community_id == community.id)
    if not refs:
        return list(session.scalars(query.order_by(Member.external_ref)))
    found = {m.external_ref: m for m in session.scalars(query.where(Member.external_ref.in_(refs)))}
    for ref in refs:
        if ref not in found:
            raise MemberRefUnknown(member_ref=ref, community=community.slug)
    return [found[ref] for ref in refs]


def issue_card(session: Session, member: Member, *, now: datetime) -> Card:
    """A new token for ``member``; her earlier unused tokens stop working."""
    now = as_utc(now)
    session.execute(
        sa.update(SigninToken)
        .where(
            SigninToken.member_id == member.id,
            SigninToken.used_at.is_(None),
            SigninToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + CARD_VALIDITY
    session.add(
        SigninToken(
            id=new_id(TOKEN_ID_PREFIX),
            token_sha256=token_digest(token),
            member_id=member.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return Card(member, token, expires_at)


def issue_cards(session: Session, community: Community, refs=(), *, now: datetime) -> list[Card]:
    """One card per member named by ``refs`` (every member of the community when empty)."""
    return [issue_card(session, m, now=now) for m in _members_to_card(session, community, refs)]


def spend(session: Session, token: str, *, now: datetime) -> Member:
    """The member whose card carries ``token``, spending the token; refused once spent."""
    now = as_utc(now)
    digest = token_digest(token)
    row = session.scalars(sa.select(SigninToken).where(SigninToken.token_sha256 == digest)).first()
    if row is None:
        raise SigninTokenUnknown()
    spent = session.execute(
        sa.update(SigninToken)
        .where(
            SigninToken.id == row.id,
            SigninToken.used_at.is_(None),
            SigninToken.revoked_at.is_(None),
            SigninToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE answers a CursorResult (with rowcount); Session.execute types it as any Result.
    if cast(CursorResult[Any], spent).rowcount != 1:
        raise SigninTokenSpent()
    return session.get_one(Member, row.member_id)
