"""Webhooks' ledger fixtures: a key that subscribes, events in the outbox, and a fake transport."""

import json
import time
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from ledger.core.apikeys import create_key
from ledger.earning.events import EventDraft, Source, record_event
from ledger.earning.rules import RuleDraft, set_rule
from ledger.webhooks import outbox, subscriptions
from ledger.webhooks.delivery import Attempt, Edge
from ledger.webhooks.models import WebhookDelivery, WebhookEvent, XidHorizon

SERVER_KEY = "ledger-tests-server-key"
RECEIVER_URL = "http://127.0.0.1:9/hooks"  # never called: the fake transport answers
SETTLE_SECONDS = 30  # how long a test waits for the server's other write transactions to end
SETTLE_POLL_SECONDS = 0.05


def settle(session) -> None:
    """Commit, then wait until every event written so far is below the outbox's horizon.

    The feed and fan-out serve only final events; on PostgreSQL any write transaction on the
    server (other test runs' databases too) holds the horizon back until it ends.
    """
    session.commit()
    deadline = time.monotonic() + SETTLE_SECONDS
    while session.get_bind().dialect.name == "postgresql":
        latest = session.scalar(sa.select(sa.func.max(WebhookEvent.xid)))
        horizon = session.scalar(sa.select(XidHorizon()))
        session.commit()  # end the read, so this session holds nothing back either
        if latest is None or latest < horizon:
            return
        assert time.monotonic() < deadline, "a write transaction held the horizon back"
        time.sleep(SETTLE_POLL_SECONDS)


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
def staff(make_key, community):
    """A staff key of the community: it reads every event of that community."""
    return make_key(community, role="staff")


@pytest.fixture
def integrator(make_key, community):
    """An integrator key of the community: it reads only the awards of earn events it posted."""
    return make_key(community)


@pytest.fixture
def award_by(session, community, now):
    """award_by(key, member, points=10) -> the Recorded earn event, posted as ``key`` (None: admin)."""

    def record(key, member, points=10):
        set_rule(session, community.id, "cleanup.join", RuleDraft(points=points), now=now)
        source = Source(f"src-{key.id if key else 'admin'}", key.id if key else None, None)
        draft = EventDraft(
            community=community.slug,
            activity="cleanup.join",
            occurred_at=now,
            source_id=f"src-{uuid.uuid4().hex[:8]}",
            recorded_by="社区议事会",
            member_id=member.id,
        )
        return record_event(session, source, draft, now=now)

    return record


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
    """deliveries() -> every delivery row, in the order fan-out made them (the feed's order)."""

    def rows():
        query = sa.select(WebhookDelivery).order_by(WebhookDelivery.id)
        return list(session.scalars(query))

    return rows
