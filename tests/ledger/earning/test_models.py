"""Earning's tables refuse rules and events that break their invariants; the written event's
record matches its table."""

import dataclasses

import sqlalchemy as sa

from ledger.earning.models import CAP_PERIODS, EVENT_STATUSES, RULE_PERS, EarningEvent, EventRow
from tests.ledger.shared_checks import refused_by_database


def test_an_event_is_refused_exactly_when_it_awarded_nothing(session, wang, award):
    """An awarded event with 0 points, or one awarding more than due, breaks a CHECK."""
    recorded = award(wang, points=10)
    session.commit()
    event_id = recorded.event.id
    update = "UPDATE earning_events SET points_awarded = :p WHERE id = :e"
    assert "refused_iff_nothing_awarded" in refused_by_database(session, update, p=0, e=event_id)
    assert "award_within_due" in refused_by_database(session, update, p=11, e=event_id)
    assert session.get(EarningEvent, event_id).points_awarded == 10


def test_a_rule_must_award_positive_points_per_a_known_unit(session, wang, award):
    """A rule of 0 points, or per minute, is refused by the database."""
    award(wang, points=10)
    session.commit()
    assert "points_positive" in refused_by_database(session, "UPDATE earning_rules SET points = 0")
    assert "per_known" in refused_by_database(session, "UPDATE earning_rules SET per = 'minute'")


def test_the_known_values_are_the_ones_the_rules_speak_of():
    """Periods run day to year, rules count per event or hour, events end in four states."""
    assert CAP_PERIODS == ("day", "week", "month", "year")
    assert RULE_PERS == ("event", "hour")
    assert set(EVENT_STATUSES) == {"awarded", "pending", "refused", "voided"}


def test_an_event_row_has_exactly_the_columns_of_an_earning_event():
    """The written event's plain record names each mapped column, so none goes missing."""
    columns = {c.key for c in sa.inspect(EarningEvent).column_attrs}
    assert {f.name for f in dataclasses.fields(EventRow)} == columns
