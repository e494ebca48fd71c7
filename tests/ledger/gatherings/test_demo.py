"""The demo community has tomorrow evening's 星空夜话 scheduled, and its story says where."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ledger.capabilities import load_demo
from ledger.gatherings.demo import DEMO_START_HOUR, DEMO_TITLE
from ledger.gatherings.models import Gathering


def test_the_demo_schedules_tomorrows_evening_and_tells_of_it(session):
    """One gathering, tomorrow at 19:00 local, with its topics and a member organizer."""
    now = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
    story = load_demo(session, now)
    session.commit()
    (gathering,) = session.scalars(sa.select(Gathering)).all()
    local = gathering.starts_at.astimezone(ZoneInfo(gathering.community.timezone))
    assert (gathering.title, local.hour, len(gathering.topics)) == (DEMO_TITLE, DEMO_START_HOUR, 2)
    assert local.date() > now.astimezone(local.tzinfo).date()
    assert gathering.organizer_member_id is not None
    assert any(f"/desk/gatherings/{gathering.id}" in line for line in story.lines)
