"""The demo community has an approval threshold above what the walk-through posts as staff."""

import sqlalchemy as sa

from ledger.approvals import rules
from ledger.approvals.demo import DEMO_THRESHOLD_POINTS
from ledger.capabilities import load_demo
from ledger.core.models import Community


def test_the_demo_sets_a_points_threshold_and_says_so(session, clock):
    """Points over the demo threshold wait; minutes have none; the story names the rule."""
    story = load_demo(session, clock.now())
    session.commit()
    demo = session.scalar(sa.select(Community).where(Community.slug == "demo"))
    assert rules.thresholds(session, demo.id) == {"points": DEMO_THRESHOLD_POINTS, "minutes": None}
    assert any(line.startswith("approvals:") for line in story.lines)
