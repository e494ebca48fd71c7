"""The demo community shows the time bank at work: volunteers, the love bank, services."""

from collections import Counter

import sqlalchemy as sa

from ledger.capabilities import load_demo
from ledger.core.balances import current_balance
from ledger.core.communities import system_account
from ledger.core.models import Community, Entry
from ledger.timebank.demo import DEMO_EXCHANGE_POINTS
from ledger.timebank.models import Service


def test_the_demo_has_volunteers_services_in_every_stage_and_a_love_bank(session, clock):
    """A rated love-bank visit, two services awaiting confirmation, one open request."""
    load_demo(session, clock.now())
    session.commit()
    community = session.scalar(sa.select(Community).where(Community.slug == "demo"))
    states = Counter(session.scalars(sa.select(Service.state)).all())
    assert states == {"rated": 1, "completed": 2, "open": 1}
    love_bank = system_account(session, community.id, "love_bank", "minutes")
    assert current_balance(session, love_bank.id).posted == 20 * 60 - 150
    donated = system_account(session, community.id, "love_bank", "points")
    assert current_balance(session, donated.id).posted == 20


def test_the_demo_exchanges_points_for_an_hours_credit_and_tells_it(session, clock):
    """张梅 exchanged 20 points for 120 minutes at the demo's rate, and the story says so."""
    story = load_demo(session, clock.now())
    session.commit()
    exchanged = session.scalars(sa.select(Entry).where(Entry.kind == "exchange")).one()
    assert exchanged.details["points"] == DEMO_EXCHANGE_POINTS
    assert exchanged.details["minutes"] == DEMO_EXCHANGE_POINTS // 10 * 60
    assert any(line.startswith("exchange: 10 points buy 60 minutes") for line in story.lines)
