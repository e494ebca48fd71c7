"""Expiry's part of ``pointsbank demo``: the demo community's points expire after a year.

Runs once, last of the parts that write entries, so every demo resident's balance so far
becomes her first lot, expiring a year from the demo's creation.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from ledger.core.models import Community, Member

from .settings import expiry_settings, set_expiry

DEMO_EXPIRY_MONTHS = 12


def add_demo(session: Session, community: Community, members: list[Member], now: datetime) -> None:
    set_expiry(session, community, months=DEMO_EXPIRY_MONTHS, now=now)


def tell_demo(session: Session, community: Community, now: datetime, story) -> None:
    """Whether and when the demo's points expire."""
    months = expiry_settings(session, community).months
    if months is not None:
        story.lines.append(
            f"expiry: points expire {months} months after they were earned, oldest first, "
            "into the love bank (members are told 30 days ahead)"
        )
