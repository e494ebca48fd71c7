"""Weekly series: points issued by activity in each local week, as the report counts them."""

import uuid
from datetime import timedelta

import pytest

from ledger.audit.reports import community_report
from ledger.audit.weekly import MAX_WEEKS, issued_by_week
from ledger.core.errors import Invalid
from ledger.earning.events import EventDraft, Source, record_event
from ledger.earning.rules import RuleDraft, set_rule

SOURCE = Source("tests", None, None)


@pytest.fixture
def award_at(session, community):
    """award_at(member, activity, points, at) -> an award recorded and posted at ``at``."""

    def record(member, activity, points, at):
        set_rule(session, community.id, activity, RuleDraft(points=points), now=at)
        draft = EventDraft(
            community=community.slug,
            activity=activity,
            occurred_at=at,
            source_id=uuid.uuid4().hex,
            recorded_by="社区议事会",
            member_id=member.id,
        )
        return record_event(session, SOURCE, draft, now=at)

    return record


def test_each_week_counts_its_own_awards_by_activity(session, community, wang, li, award_at, now):
    """Two weeks ago a clean-up, this week a clean-up and a meeting: each in its own week."""
    award_at(wang, "cleanup.join", 10, now - timedelta(days=14))
    award_at(li, "cleanup.join", 10, now + timedelta(hours=1))
    award_at(wang, "deliberation.attend", 5, now + timedelta(hours=2))
    series = issued_by_week(session, community, now=now + timedelta(hours=3), weeks=3)
    assert [week.issued_by_activity for week in series.weeks] == [
        {"cleanup.join": 10},
        {},
        {"cleanup.join": 10, "deliberation.attend": 5},
    ]
    assert series.activities == ["cleanup.join", "deliberation.attend"]
    report = community_report(
        session, community, now=now, from_=series.starts_at, to=series.ends_at
    )
    assert sum(week.issued for week in series.weeks) == report.issued


def test_a_week_starts_on_monday_at_local_midnight(session, community, wang, award_at, now):
    """Sunday 23:30 in Shanghai belongs to the week before Monday 00:30, though both are UTC Sunday."""
    monday = now.replace(hour=16, minute=30) - timedelta(days=1)  # Monday 00:30 local, UTC Sunday
    award_at(wang, "cleanup.join", 10, monday - timedelta(hours=1))
    award_at(wang, "cleanup.join", 10, monday)
    series = issued_by_week(session, community, now=monday, weeks=2)
    assert [week.issued for week in series.weeks] == [10, 10]
    assert series.weeks[1].starts_on.weekday() == 0


def test_the_number_of_weeks_is_bounded(session, community, now):
    """Asking for more than MAX_WEEKS is refused."""
    with pytest.raises(Invalid):
        issued_by_week(session, community, now=now, weeks=MAX_WEEKS + 1)
