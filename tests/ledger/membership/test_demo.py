"""The demo shows a district of two communities, and a resident who moved in with her minutes."""

import sqlalchemy as sa

from ledger.capabilities import load_demo
from ledger.core.models import Community
from ledger.membership import districts
from ledger.membership.demo import DEMO_MOVED_MINUTES, DEMO_SAVED_MINUTES


def test_the_demo_district_has_two_communities_and_a_balanced_move(session, clock):
    """demo and demo-east are a pair whose clearing accounts net to the move's minutes."""
    story = load_demo(session, clock.now())
    session.commit()
    demo, east = (
        session.scalar(sa.select(Community).where(Community.slug == slug))
        for slug in ("demo", "demo-east")
    )
    district = districts.get_district(session, story.env["DISTRICT"])
    statement = districts.pair_statement(session, district, east, demo)
    assert statement.net_minutes == statement.clearing_balance == DEMO_MOVED_MINUTES
    assert statement.counterparty_clearing_balance == -DEMO_MOVED_MINUTES
    assert DEMO_MOVED_MINUTES < DEMO_SAVED_MINUTES
    assert any("district 'demo-district'" in line for line in story.lines)
