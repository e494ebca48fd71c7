"""Webhooks' tables refuse states, statuses and deliveries that break their invariants."""

from ledger.webhooks.delivery import fan_out
from ledger.webhooks.models import DELIVERY_STATUSES, SUBSCRIPTION_STATES
from tests.ledger.shared_checks import refused_by_database
from tests.ledger.webhooks.conftest import settle


def test_a_subscription_is_active_or_paused(session, integrator, subscribe):
    """A subscription in any other state breaks the state CHECK."""
    subscribe(integrator)
    session.commit()
    update = "UPDATE webhook_subscriptions SET state = 'deleted'"
    assert "ck_webhook_subscriptions_state" in refused_by_database(session, update)


def test_a_delivery_has_a_known_status_and_is_one_per_subscription_and_event(
    session, staff, subscribe, tell, deliveries, now
):
    """A status outside the three, or a second row for the same event, is refused."""
    subscribe(staff)
    tell("ent_1")
    settle(session)
    assert fan_out(session, now) == 1
    (row,) = deliveries()
    update = "UPDATE webhook_deliveries SET status = 'lost'"
    assert "ck_webhook_deliveries_status" in refused_by_database(session, update)
    copy = (
        "INSERT INTO webhook_deliveries (subscription_id, event_seq, resource_key, status,"
        " attempts, next_attempt_at) SELECT subscription_id, event_seq, resource_key, status,"
        " attempts, next_attempt_at FROM webhook_deliveries"
    )
    assert "unique" in refused_by_database(session, copy)
    assert [d.id for d in deliveries()] == [row.id]


def test_the_known_values_are_the_ones_delivery_speaks_of():
    """Subscriptions are active or paused; deliveries pend, then are delivered or fail."""
    assert SUBSCRIPTION_STATES == ("active", "paused")
    assert DELIVERY_STATUSES == ("pending", "delivered", "failed")
