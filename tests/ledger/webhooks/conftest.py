"""Webhooks' ledger fixtures: a key that subscribes, events in the outbox, and a fake transport."""

import json
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from ledger.core.apikeys import create_key
from ledger.webhooks import outbox, subscriptions
from ledger.webhooks.delivery import Attempt, Edge
from ledger.webhooks.models import WebhookDelivery

SERVER_KEY = "ledger-tests-server-key"
RECEIVER_URL = "http://127.0.0.1:9/hooks"  # never called: the fake transport answers


@dataclass(frozen=True)
class Resource:
    """Anything the outbox can tell of: an id and a community."""

    id: str
    community_id: str


class FakeSender:
    """Stands in for the POST: notes every call and answers the queued errors first, then 2xx."""

    def __init__(self):
        self.calls: list[dict] = []
        self.errors: list[str | None] = []

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> Attempt:
        self.calls.append({"url": url, "headers": headers, "raw": body, "body": json.loads(body)})
        return Attempt(self.errors.pop(0) if self.errors else None)

    def resources(self) -> list[str]:
        return [call["body"]["resource_id"] for call in self.calls]


def render(session, event) -> bytes:
    """A body naming the event and its resource, as a web edge might render it."""
    fields = {"id": event.id, "type": event.type, "resource_id": event.resource_id}
    return json.dumps(fields).encode()


@pytest.fixture
def edge():
    """An edge of the tests' own: renders a small JSON body and allows 127.0.0.1."""
    return Edge(render=render, server_key=lambda: SERVER_KEY, allow_private=lambda: True)


@pytest.fixture
def sender():
    return FakeSender()


@pytest.fixture
def make_key(session, now):
    """make_key(*communities, role="integrator") -> an ApiKey of those communities."""

    def make(*communities, role="integrator"):
        slugs = [community.slug for community in communities]
        return create_key(session, role=role, community_slugs=slugs, now=now)[0]

    return make


@pytest.fixture
def integrator(make_key, community):
    return make_key(community)


@pytest.fixture
def subscribe(session, now):
    """subscribe(key, *event_types, url=RECEIVER_URL) -> the Created subscription."""

    def make(key, *event_types, url=RECEIVER_URL):
        return subscriptions.create(
            session,
            key.id,
            url=url,
            event_types=list(event_types or ["entry.reversed"]),
            server_key=SERVER_KEY,
            allow_private=True,
            now=now,
        )

    return make


@pytest.fixture
def tell(session, community, now):
    """tell(resource_id, event_type="entry.reversed", community=...) -> records one event."""

    def record(resource_id, event_type="entry.reversed", of=None, at=None):
        resource = Resource(resource_id, (of or community).id)
        outbox.record(session, event_type, resource, at=at or now)

    return record


@pytest.fixture
def deliveries(session):
    """deliveries() -> every delivery row, in event order."""

    def rows():
        query = sa.select(WebhookDelivery).order_by(WebhookDelivery.event_seq)
        return list(session.scalars(query))

    return rows
