"""Events: recorded once per source id, judged by the rule and its caps, awarded in points."""

from datetime import timedelta

import pytest

from ledger.core.balances import current_balance
from ledger.earning import errors
from ledger.earning.events import (
    BACKDATING_WINDOW,
    EventDraft,
    Source,
    points_due,
    record_event,
    record_events,
)
from ledger.earning.rules import CapDraft, RuleDraft, set_rule

SOURCE = Source("sign-in tablet", None, None)


def draft(community, member, activity="deliberation.attend", source_id="row-1", *, at, **fields):
    """An event of ``member`` at ``at``, reported by the sign-in tablet."""
    return EventDraft(
        community=community.slug,
        activity=activity,
        occurred_at=at,
        source_id=source_id,
        recorded_by="社区议事会",
        member_id=member.id,
        **fields,
    )


def test_an_event_awards_the_rules_points_and_a_replay_awards_nothing(
    session, community, wang, points_of, now
):
    """The same source id again is a replay returning the first answer, not a second award."""
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    first = record_event(session, SOURCE, draft(community, wang, at=now), now=now)
    again = record_event(session, SOURCE, draft(community, wang, at=now), now=now)
    assert (first.event.status, first.event.points_awarded, first.replayed) == ("awarded", 5, False)
    assert again.replayed and again.event.id == first.event.id
    assert current_balance(session, points_of(wang)).posted == 5


def test_a_day_cap_refuses_the_third_meeting(session, community, wang, points_of, now):
    """Two meetings a day earn points; the third that day is refused with the cap named."""
    set_rule(
        session,
        community.id,
        "deliberation.attend",
        RuleDraft(points=5, caps=(CapDraft("day", max_count=2),)),
        now=now,
    )
    results = record_events(
        session,
        SOURCE,
        [draft(community, wang, source_id=f"m{n}", at=now + timedelta(hours=n)) for n in range(3)],
        now=now + timedelta(hours=3),
    )
    assert [r.event.status for r in results] == ["awarded", "awarded", "refused"]
    assert results[2].event.decision["limited_by"]["period"] == "day"
    assert current_balance(session, points_of(wang)).posted == 10


def test_per_hour_rules_prorate_the_minutes_rounding_down(session, community, wang, now):
    """12 points an hour for 50 minutes is 10 points; the quantity is required."""
    rule, _ = set_rule(
        session, community.id, "volunteer.hour", RuleDraft(points=12, per="hour"), now=now
    )
    assert points_due(rule[0], 50) == 10
    recorded = record_event(
        session, SOURCE, draft(community, wang, "volunteer.hour", at=now, quantity=50), now=now
    )
    assert recorded.event.points_awarded == 10
    with pytest.raises(errors.QuantityRequired):
        record_event(
            session, SOURCE, draft(community, wang, "volunteer.hour", "r2", at=now), now=now
        )


def test_events_from_the_future_or_too_long_ago_are_refused(session, community, wang, now):
    """An event an hour ahead, or older than the backdating window, is refused."""
    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    with pytest.raises(errors.OccurredInFuture):
        record_event(session, SOURCE, draft(community, wang, at=now + timedelta(hours=1)), now=now)
    with pytest.raises(errors.OccurredTooLongAgo):
        record_event(
            session,
            SOURCE,
            draft(community, wang, source_id="old", at=now - BACKDATING_WINDOW - timedelta(days=1)),
            now=now,
        )


def test_existing_finds_each_recorded_source_id_among_many(session, community, wang, li, now):
    """Of five source ids, the three recorded are found, each once, and nothing else."""
    from ledger.earning.events import _existing

    set_rule(session, community.id, "deliberation.attend", RuleDraft(points=5), now=now)
    recorded = record_events(
        session,
        SOURCE,
        [draft(community, m, source_id=f"s{n}", at=now) for n, m in enumerate([wang, li, wang])],
        now=now,
    )
    found = _existing(session, SOURCE, ["s4", "s0", "s1", "s2", "s3"])
    assert {k: v.id for k, v in found.items()} == {
        f"s{n}": r.event.id for n, r in enumerate(recorded)
    }
    assert _existing(session, SOURCE, ["nothing"]) == {}
