"""The gatherings' tables keep their invariants in the database too."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ledger.gatherings.models import GatheringAttendance, GatheringTopic


def test_a_gathering_must_end_after_it_starts(session, evening):
    """The database refuses a gathering whose end is not after its start."""
    with pytest.raises(IntegrityError):
        session.execute(
            sa.update(type(evening))
            .where(type(evening).id == evening.id)
            .values(ends_at=evening.starts_at)
        )
        session.flush()


def test_a_decision_needs_who_carries_it_out(session, evening):
    """A topic's decision without its carrier is refused by the database."""
    with pytest.raises(IntegrityError):
        session.execute(
            sa.update(GatheringTopic)
            .where(GatheringTopic.gathering_id == evening.id)
            .values(decision="清理")
        )
        session.flush()


def test_an_attendance_is_keyed_by_gathering_and_member(session):
    """(gathering, member) is the attendance's primary key: a member attends once."""
    keys = [c.name for c in GatheringAttendance.__table__.primary_key.columns]
    assert keys == ["gathering_id", "member_id"]
