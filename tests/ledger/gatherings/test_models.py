"""The gatherings' tables keep their invariants in the database too."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.gatherings.attendance import sign_in
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


@pytest.mark.postgres
def test_postgresql_keeps_attendance_append_only_and_tied_to_its_award(session, evening, wang, now):
    """An attendance cannot be changed, nor linked to another member's award."""
    signed = sign_in(session, evening, wang, method="scan", ticked_by=wang.id, now=now)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(sa.update(GatheringAttendance).values(ticked_by="someone else"))
    session.rollback()
    # A second row, for the organizer, pointing at Wang's award is refused.
    with pytest.raises(DBAPIError, match="award for this gathering"):
        session.execute(
            sa.insert(GatheringAttendance).values(
                gathering_id=evening.id,
                member_id=evening.organizer_member_id,
                method="scan",
                ticked_by="x",
                signed_in_at=now,
                event_id=signed.event.id,
            )
        )
    session.rollback()
