"""The services table refuses states a time-bank service can never be in."""

import pytest

from ledger.timebank import services as timebank
from ledger.timebank.models import SERVICE_STATES, Service
from tests.ledger.shared_checks import refused_by_database


@pytest.fixture
def request_made(session, community, wang, now):
    """王秀英 asks for an hour of help with shopping, committed."""
    service = timebank.request_service(
        session,
        community_id=community.id,
        requester_id=wang.id,
        title="买菜",
        category="errand",
        minutes_estimate=60,
        funded_by="requester",
        now=now,
    )
    session.commit()
    return service.id


def test_a_service_cannot_be_its_requesters_own_or_estimate_nothing(session, wang, request_made):
    """The requester as volunteer, or a zero estimate, is refused by the database."""
    update = f"UPDATE services SET {{}} WHERE id = '{request_made}'"
    assert "no_self_service" in refused_by_database(
        session, update.format("volunteer_id = requester_id")
    )
    assert "estimate_positive" in refused_by_database(
        session, update.format("minutes_estimate = 0")
    )
    assert session.get(Service, request_made).minutes_estimate == 60


def test_a_service_under_way_needs_a_volunteer_and_a_hold(session, request_made):
    """Assigned without a volunteer, starred while open or cancelled by nobody known: refused."""
    update = f"UPDATE services SET {{}} WHERE id = '{request_made}'"
    assert "served_has_volunteer" in refused_by_database(
        session, update.format("state = 'assigned'")
    )
    assert "rated_once" in refused_by_database(session, update.format("stars = 5"))
    assert "canceller_known" in refused_by_database(
        session, update.format("cancelled_by = 'neighbour'")
    )
    assert session.get(Service, request_made).state == "open"


def test_the_states_run_from_open_to_rated_or_cancelled():
    """Six states, the happy path in order."""
    assert SERVICE_STATES == ("open", "assigned", "completed", "confirmed", "rated", "cancelled")
