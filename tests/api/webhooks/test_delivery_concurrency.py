"""Two delivery workers side by side (PostgreSQL): each event once, never twice at the same time,
in order per resource."""

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ledger.core import apikeys
from ledger.webhooks import delivery, outbox, subscriptions
from tests.api.webhooks.conftest import settle
from tests.support.concurrently import run_together

EVENTS = 1_000
RESOURCES = 50
WORKERS = 2
AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Resource:
    id: str
    community_id: str


class Recorder:
    """A sender that notes each POST, and any event sent while it was already in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight: set[str] = set()
        self.sent: list[tuple[str, str, int]] = []
        self.overlaps: list[str] = []

    def send(self, url, headers, body):
        event_id = headers["webhook-id"]
        with self.lock:
            if event_id in self.in_flight:
                self.overlaps.append(event_id)
            self.in_flight.add(event_id)
        time.sleep(0.0005)  # a moment in flight, for the other worker to collide with
        with self.lock:
            self.in_flight.discard(event_id)
            shown = json.loads(body)
            self.sent.append((event_id, shown["resource"], shown["seq"]))
        return delivery.Attempt(None)


def _render(session, event):
    return json.dumps({"id": event.id, "resource": event.resource_id, "seq": event.seq}).encode()


EDGE = delivery.Edge(render=_render, server_key=lambda: "tests", allow_private=lambda: True)


def subscribe_admin_to_reversals(session) -> None:
    """An admin key's subscription to entry.reversed, delivered nowhere (the tests send)."""
    key, _ = apikeys.create_key(session, role="admin", community_slugs=[], now=AT)
    subscriptions.create(
        session,
        key.id,
        url="http://127.0.0.1:9/unused",
        event_types=["entry.reversed"],
        server_key="tests",
        allow_private=True,
        now=AT,
    )


def _subscribe_to_many_events(app, community_id: str) -> None:
    """An admin key's subscription to entry.reversed, then EVENTS events over RESOURCES entries,
    fanned out into pending deliveries."""
    from api.extensions import db

    with app.app_context():
        subscribe_admin_to_reversals(db.session)
        resources = [Resource(f"ent_{n:03d}", community_id) for n in range(RESOURCES)]
        told = [("entry.reversed", resources[n % RESOURCES]) for n in range(EVENTS)]
        outbox.record_many(db.session, told, at=AT)
        db.session.commit()  # fan-out serves committed events only
        settle(app)
        delivery.fan_out(db.session, AT)
        db.session.remove()


@pytest.mark.postgres
def test_two_workers_deliver_each_event_once_in_order_per_resource(app, make_community):
    """1,000 events over 50 resources: all delivered, none twice at once, each resource's in order."""
    community = make_community("qianjiang")
    _subscribe_to_many_events(app, community["id"])
    recorder = Recorder()

    def work(_index):
        from api.extensions import db

        with app.app_context():
            attempts = delivery.deliver_due(db.session, AT, EDGE, send=recorder.send)
            db.session.remove()
        return attempts

    attempts = run_together(WORKERS, work)
    assert sum(attempts) == EVENTS and recorder.overlaps == []
    assert len({event_id for event_id, _, _ in recorder.sent}) == EVENTS
    for n in range(RESOURCES):
        order = [seq for _, resource, seq in recorder.sent if resource == f"ent_{n:03d}"]
        assert order == sorted(order) and len(order) == EVENTS // RESOURCES
