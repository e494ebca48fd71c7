"""The membership part of ``pointsbank demo``: a district of two communities and one move.

Runs once, when the demo community is created: 东园社区 (``demo-east``) joins the demo community in
示范街道 (``demo-district``), and 孙阿姨, who saved time credits in 东园, moves into the demo
community with some of them. The demo's own members are not touched, so the walk-through's
balances stay as they are.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.audit.chain import seal_community
from ledger.core.communities import (
    create_community,
    create_member,
    member_account,
    system_account,
)
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import Community, Member

from . import districts
from .models import District, DistrictMove

DEMO_DISTRICT = ("demo-district", "示范街道")
DEMO_EAST = ("demo-east", "东园社区")
DEMO_MOVER = ("E-001", "孙阿姨")
DEMO_SAVED_MINUTES = 180
DEMO_MOVED_MINUTES = 120


def add_demo(session: Session, community: Community, members: list[Member], now: datetime) -> None:
    district = districts.create_district(
        session, slug=DEMO_DISTRICT[0], name=DEMO_DISTRICT[1], now=now
    ).district
    east = create_community(
        session, slug=DEMO_EAST[0], name=DEMO_EAST[1], now=now, timezone=community.timezone
    )
    for joining in (community, east):
        districts.add_community(session, district, joining, now=now)
    mover = create_member(
        session, east, external_ref=DEMO_MOVER[0], display_name=DEMO_MOVER[1], now=now
    )
    issuance = system_account(session, east.id, "issuance", "minutes").id
    saved = PostingDraft(
        issuance, member_account(session, mover.id, "minutes").id, "minutes", DEMO_SAVED_MINUTES
    )
    post_entry(
        session,
        EntryDraft(east.id, "adjustment", [saved], memo="在东园社区积攒的志愿时长"),
        now=now,
    )
    districts.move_minutes(
        session,
        district=district,
        member_id=mover.id,
        to_community_slug=community.slug,
        minutes=DEMO_MOVED_MINUTES,
        memo="搬到示范社区（通存通兑）",
        now=now,
    )
    # The audit part seals the demo community last; 东园's journal is sealed here, whole.
    seal_community(session, east.id, now=now)


def tell_demo(session: Session, community: Community, now: datetime, story) -> None:
    """The district, and the move into the demo community."""
    move = session.scalar(
        sa.select(DistrictMove).where(DistrictMove.to_community_id == community.id).limit(1)
    )
    if move is None:
        return
    view = districts.district_view(session, session.get_one(District, move.district_id))
    story.lines.append(
        f"district '{view.slug}' ({view.name}): {', '.join(view.communities)}; "
        f"{move.minutes} minutes moved in with {DEMO_MOVER[1]} ({DEMO_MOVER[0]})"
    )
    story.env["DISTRICT"] = view.slug
