"""The notice board (公示栏): awards under public notice as the desk and the printed notice show them.

A line names the resident, the activity, the points waiting to vest and when the notice ends,
which is also the objection deadline (``notice.object_to_event`` refuses from then on). Times are
the community's local time; the earliest deadline comes first. Awards whose notice has ended but
that the sweep has not vested yet are left out: nobody can object to them any more.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.models import Community, Member

from .models import EarningEvent

# A board lists far fewer; this bounds what one page reads.
MAX_BOARD_LINES = 2_000


@dataclass(frozen=True)
class NoticeLine:
    event_id: str
    member_name: str
    member_ref: str
    activity: str
    points: int
    occurred_at: datetime
    vests_at: datetime


def notice_board(session: Session, community: Community, *, now: datetime) -> list[NoticeLine]:
    """The community's awards still open to objection at ``now``, earliest deadline first."""
    zone = ZoneInfo(community.timezone)
    rows = session.execute(
        sa.select(EarningEvent, Member.display_name, Member.external_ref)
        .join(Member, Member.id == EarningEvent.member_id)
        .where(
            EarningEvent.community_id == community.id,
            EarningEvent.status == "pending",
            EarningEvent.vests_at > now,
        )
        .order_by(EarningEvent.vests_at, EarningEvent.id)
        .limit(MAX_BOARD_LINES)
    )
    return [
        NoticeLine(
            event_id=event.id,
            member_name=name,
            member_ref=ref,
            activity=event.activity,
            points=int(event.points_awarded),
            occurred_at=event.occurred_at.astimezone(zone),
            vests_at=event.vests_at.astimezone(zone),
        )
        for event, name, ref in rows
    ]
