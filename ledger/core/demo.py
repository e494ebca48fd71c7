"""The core of ``pointsbank demo``: the demo community, its residents and their opening points.

Safe to run again: what exists is kept, and fresh API keys are issued each time (keys are shown
once). Each capability adds its own part, run once when the community is first made (see
:func:`ledger.capabilities.load_demo`).
"""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import apikeys
from .capability import DemoPart
from .communities import create_community, create_member, member_account, system_account
from .corrections import adjust
from .journal import PostingDraft
from .models import Account, Community, Member

DEMO_SLUG = "demo"
DEMO_RESIDENTS = (
    ("R-001", "王秀英"),
    ("R-002", "李建国"),
    ("R-003", "张梅"),
    ("R-004", "刘洋"),
)
DEMO_OPENING_POINTS = 100


def _community(session: Session, now: datetime) -> tuple[Community, bool]:
    community = session.scalar(sa.select(Community).where(Community.slug == DEMO_SLUG))
    if community is not None:
        return community, False
    community = create_community(
        session,
        slug=DEMO_SLUG,
        name="星光社区 (demo)",
        timezone="Asia/Shanghai",
        time_floor_minutes=-600,
        now=now,
    )
    return community, True


def _residents(session: Session, community: Community, now: datetime) -> list[Member]:
    members = []
    for ref, name in DEMO_RESIDENTS:
        member = session.scalar(
            sa.select(Member).where(Member.community_id == community.id, Member.external_ref == ref)
        )
        members.append(
            member
            or create_member(session, community, external_ref=ref, display_name=name, now=now)
        )
    return members


def _opening_balances(
    session: Session, community: Community, members: list[Member], now: datetime
) -> None:
    issuance = system_account(session, community.id, "issuance", "points")
    for member in members:
        adjust(
            session,
            community_id=community.id,
            now=now,
            postings=[
                PostingDraft(
                    issuance.id,
                    member_account(session, member.id, "points").id,
                    "points",
                    DEMO_OPENING_POINTS,
                )
            ],
            reason="demo opening balance",
        )


def _keys(session: Session, members: list[Member], shop_id: str | None, now: datetime) -> dict:
    keys = {}
    for role, kwargs in (
        ("admin", {}),
        ("staff", {"community_slugs": [DEMO_SLUG]}),
        ("integrator", {"community_slugs": [DEMO_SLUG]}),
        ("member", {"member_id": members[0].id}),
    ):
        _, token = apikeys.create_key(session, role=role, now=now, label="demo", **kwargs)
        keys[role] = token
    if shop_id is not None:
        _, keys["shop"] = apikeys.create_key(
            session, role="shop", shop_id=shop_id, now=now, label="demo till"
        )
    return keys


def load_demo(session: Session, now: datetime, parts: Iterable[DemoPart]) -> dict[str, str]:
    """Create (or find) the demo community, run ``parts`` on a new one; a fresh key per role."""
    community, created = _community(session, now)
    members = _residents(session, community, now)
    if created:
        _opening_balances(session, community, members, now)
        for part in parts:
            part(session, community, members, now)
    shop_id = session.scalar(
        sa.select(Account.owner_id)
        .where(Account.community_id == community.id, Account.kind == "shop")
        .order_by(Account.id)
        .limit(1)
    )
    keys = _keys(session, members, shop_id, now)
    keys["member_id"] = members[0].id
    keys["community"] = DEMO_SLUG
    return keys
