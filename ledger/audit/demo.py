"""The audit part of ``pointsbank demo``: seal what the other parts wrote, last of all."""

from datetime import datetime

from sqlalchemy.orm import Session

from ledger.core.models import Community, Member

from .chain import head, seal_community


def add_demo(session: Session, community: Community, members: list[Member], now: datetime) -> None:
    """Seal the demo's entries, so its published journal head is not empty."""
    seal_community(session, community.id, now=now)


def tell_demo(session: Session, community: Community, now: datetime, story) -> None:
    """The published journal head."""
    published = head(session, community.id)
    story.lines.append(f"journal sealed up to seq {published.seq} ({published.hash[:16]}…)")
