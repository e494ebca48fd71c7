"""Public notice: an award waits, may be objected to, and vests when the notice ends."""

from datetime import timedelta

import pytest

from ledger.core.balances import current_balance
from ledger.earning import errors
from ledger.earning.models import EarningEvent
from ledger.earning.notice import object_to_event, vest_due_awards


def test_an_award_under_notice_is_held_then_vests_when_the_notice_ends(
    session, community, wang, points_of, award, now
):
    """Seven days' notice: pending points until day 7, posted by the sweep on day 7."""
    recorded = award(wang, "proposal.adopted", points=50, notice_days=7)
    assert recorded.event.status == "pending"
    figures = current_balance(session, points_of(wang))
    assert (figures.posted, figures.pending_in) == (0, 50)
    assert vest_due_awards(session, now + timedelta(days=7) - timedelta(seconds=1)) == 0
    assert vest_due_awards(session, now + timedelta(days=7)) == 1
    assert session.get(EarningEvent, recorded.event.id).status == "awarded"
    assert current_balance(session, points_of(wang)).posted == 50
    assert vest_due_awards(session, now + timedelta(days=8)) == 0


def test_an_objection_voids_the_award_and_it_never_vests(
    session, community, wang, points_of, award, now
):
    """Staff object on day 3 with a reason: the event is voided and nothing is posted."""
    recorded = award(wang, "proposal.adopted", points=50, notice_days=7)
    voided = object_to_event(
        session, recorded.event.id, reason="not adopted after all", now=now + timedelta(days=3)
    )
    assert (voided.status, voided.objection_reason) == ("voided", "not adopted after all")
    assert vest_due_awards(session, now + timedelta(days=8)) == 0
    figures = current_balance(session, points_of(wang))
    assert (figures.posted, figures.pending_in) == (0, 0)


def test_objections_come_in_time_to_a_pending_award_or_not_at_all(
    session, community, wang, award, now
):
    """After the notice ends, or to an award that never waited, an objection is refused."""
    waiting = award(wang, "proposal.adopted", points=50, notice_days=7)
    with pytest.raises(errors.NoticePeriodOver):
        object_to_event(session, waiting.event.id, reason="late", now=now + timedelta(days=7))
    immediate = award(wang, "cleanup.join", points=5)
    with pytest.raises(errors.EventNotPending):
        object_to_event(session, immediate.event.id, reason="too late", now=now)
    with pytest.raises(errors.EventNotFound):
        object_to_event(session, "evt_NOPE", reason="who", now=now)
