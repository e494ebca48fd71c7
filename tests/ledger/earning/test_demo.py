"""The demo community shows earning at work: rules, weeks of events, caps and public notice."""

from datetime import UTC, datetime

import sqlalchemy as sa

from ledger.capabilities import load_demo
from ledger.earning.models import EarningEvent, EarningRule


def test_the_demo_has_rules_and_three_weeks_of_judged_events(session):
    """Every demo rule exists; meetings over the day cap are refused; a proposal is on notice."""
    load_demo(session, datetime(2026, 11, 22, 4, 0, tzinfo=UTC))
    session.commit()
    activities = set(session.scalars(sa.select(EarningRule.activity)))
    assert {
        "deliberation.attend",
        "cleanup.join",
        "volunteer.hour",
        "proposal.adopted",
    } <= activities
    # Residents read every demo award by its title, never by the activity's code.
    assert "" not in set(session.scalars(sa.select(EarningRule.title)))
    statuses = dict(
        session.execute(
            sa.select(EarningEvent.status, sa.func.count()).group_by(EarningEvent.status)
        ).all()
    )
    assert statuses["awarded"] > 40 and statuses["refused"] > 0 and statuses["pending"] >= 1
    refused = session.scalars(sa.select(EarningEvent).where(EarningEvent.status == "refused"))
    assert all(e.decision["limited_by"]["period"] == "day" for e in refused)
