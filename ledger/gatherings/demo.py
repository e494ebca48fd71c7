"""The gatherings' part of the demo: tomorrow evening's 星空夜话, scheduled with its topics.

Nothing is signed in yet, so the demo's figures elsewhere stay as they are; the desk shows its
QR code once the evening starts.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .gatherings import GatheringDraft, schedule
from .models import Gathering

DEMO_TITLE = "星空夜话"
DEMO_TOPICS = ("楼道堆物清理", "健身器材维修")
DEMO_START_HOUR = 19  # local time, tomorrow
DEMO_LENGTH = timedelta(hours=2)


def add_demo(session: Session, community, members, now: datetime) -> None:
    """Schedule tomorrow's evening of deliberation, organised by the demo's second resident."""
    zone = ZoneInfo(community.timezone)
    tomorrow = (now.astimezone(zone) + timedelta(days=1)).date()
    starts_at = datetime(tomorrow.year, tomorrow.month, tomorrow.day, DEMO_START_HOUR, tzinfo=zone)
    schedule(
        session,
        community,
        GatheringDraft(
            title=DEMO_TITLE,
            activity="deliberation.attend",
            place="社区广场",
            starts_at=starts_at,
            ends_at=starts_at + DEMO_LENGTH,
            organizer_member_id=members[1].id if len(members) > 1 else None,
            organizer_name="" if len(members) > 1 else "社区工作人员",
            topics=DEMO_TOPICS,
        ),
        now=now,
    )


def tell_demo(session: Session, community, now: datetime, story) -> None:
    """The next gathering and where its desk pages are."""
    upcoming = session.scalars(
        sa.select(Gathering)
        .where(Gathering.community_id == community.id, Gathering.starts_at >= now)
        .order_by(Gathering.starts_at)
    ).first()
    if upcoming is not None:
        local = upcoming.starts_at.astimezone(ZoneInfo(community.timezone))
        story.lines.append(
            f"gathering: {upcoming.title} at {upcoming.place}, {local:%Y-%m-%d %H:%M} "
            f"(desk: /desk/gatherings/{upcoming.id})"
        )
