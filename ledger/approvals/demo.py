"""The approvals part of ``pointsbank demo``: a threshold, so large staff writes wait.

Set above everything the walk-through posts as staff (20 points), so its steps post at once.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from ledger.core.models import Community, Member

from . import rules

DEMO_THRESHOLD_POINTS = 500


def add_demo(session: Session, community: Community, members: list[Member], now: datetime) -> None:
    rules.set_thresholds(session, community.id, {"points": DEMO_THRESHOLD_POINTS}, now=now)


def tell_demo(session: Session, community: Community, now: datetime, story) -> None:
    """The community's thresholds."""
    limits = rules.thresholds(session, community.id)
    if limits["points"] is not None:
        story.lines.append(
            f"approvals: staff adjustments and grants over {limits['points']} points, and any "
            "to the staff member's own account, wait for a second person"
        )
