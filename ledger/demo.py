"""A small demo community, so a new user sees pointsbank work: ``pointsbank demo``.

Safe to run again: what exists is kept, and fresh API keys are issued each time (keys are shown
once). Each capability adds its own part through ``DEMO_PARTS``.
"""

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import apikeys
from .chain import seal_demo
from .communities import create_community, create_member, member_account, system_account
from .corrections import adjust
from .earning_demo import add_earning
from .journal import PostingDraft
from .models import Account, Community, Member
from .redemption_demo import add_demo_supermarket
from .timebank_demo import demo_part as add_time_bank

DEMO_SLUG = "demo"
DEMO_RESIDENTS = (
    ("R-001", "王秀英"),
    ("R-002", "李建国"),
    ("R-003", "张梅"),
    ("R-004", "刘洋"),
)
DEMO_OPENING_POINTS = 100

# Each capability's part: (session, community, members, now) -> None, run in this order once the
# community is first made. Sealing comes last, so the published journal head covers them all.
DEMO_PARTS: tuple[Callable, ...] = (add_time_bank, add_demo_supermarket, add_earning, seal_demo)


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


def load_demo(session: Session, now: datetime) -> dict[str, str]:
    """Create (or find) the demo community; returns a fresh API key per role."""
    community, created = _community(session, now)
    members = []
    for ref, name in DEMO_RESIDENTS:
        member = session.scalar(
            sa.select(Member).where(Member.community_id == community.id, Member.external_ref == ref)
        )
        members.append(
            member
            or create_member(session, community, external_ref=ref, display_name=name, now=now)
        )
    if created:
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
        for part in DEMO_PARTS:
            part(session, community, members, now)
    keys = {}
    for role, kwargs in (
        ("admin", {}),
        ("staff", {"community_slugs": [DEMO_SLUG]}),
        ("integrator", {"community_slugs": [DEMO_SLUG]}),
        ("member", {"member_id": members[0].id}),
    ):
        _, token = apikeys.create_key(session, role=role, now=now, label="demo", **kwargs)
        keys[role] = token
    shop_id = session.scalar(
        sa.select(Account.owner_id)
        .where(Account.community_id == community.id, Account.kind == "shop")
        .order_by(Account.id)
        .limit(1)
    )
    if shop_id is not None:
        _, keys["shop"] = apikeys.create_key(
            session, role="shop", shop_id=shop_id, now=now, label="demo till"
        )
    keys["member_id"] = members[0].id
    keys["community"] = DEMO_SLUG
    return keys
