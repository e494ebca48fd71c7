"""The outbox: one row per thing that happened, written in the transaction that made it happen.

``record`` is called by the ledger function that makes the change, inside its transaction and
before its commit: a change that rolls back takes its event with it, and a change that commits
cannot lose it. A row names its resource (type and id); its body is rendered when it is served.
"""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.ids import new_id

from . import errors
from .models import WebhookEvent

# The resource each family of events tells of, by the event type's first word.
RESOURCE_TYPES = {
    "award": "earn_event",
    "redemption": "redemption",
    "service": "service",
    "transfer": "entry",
    "entry": "entry",
}
SERVICE_STATES = ("open", "assigned", "completed", "confirmed", "rated", "cancelled")
EVENT_TYPES = (
    "award.vested",
    "award.voided",
    "award.refused",
    "redemption.captured",
    "redemption.voided",
    "redemption.refunded",
    *(f"service.{state}" for state in SERVICE_STATES),
    "transfer.posted",
    "entry.reversed",
)
EVENT_ID_PREFIX = "whe"

_events = WebhookEvent.__table__


def _row(event_type: str, resource, at: datetime) -> dict:
    assert event_type in EVENT_TYPES, event_type
    return {
        "id": new_id(EVENT_ID_PREFIX),
        "type": event_type,
        "community_id": resource.community_id,
        "resource_type": RESOURCE_TYPES[event_type.split(".", 1)[0]],
        "resource_id": resource.id,
        "occurred_at": at,
    }


def record(session: Session, event_type: str, resource, *, at: datetime) -> None:
    """Add the event ``event_type`` about ``resource`` (anything with ``id`` and ``community_id``)."""
    session.execute(sa.insert(_events), [_row(event_type, resource, at)])


def record_many(session: Session, events: Iterable[tuple[str, object]], *, at: datetime) -> int:
    """Add several events in one INSERT (a batch's); returns how many."""
    rows = [_row(event_type, resource, at) for event_type, resource in events]
    if rows:
        session.execute(sa.insert(_events).values(rows))  # one statement for them all
    return len(rows)


# Reading ----------------------------------------------------------------------------------------
def _in_scope(query, community_ids: list[str] | None):
    """Only events of ``community_ids`` (None: every community, for an admin key)."""
    if community_ids is None:
        return query
    return query.where(WebhookEvent.community_id.in_(community_ids))


def get_event(session: Session, event_id: str, community_ids: list[str] | None) -> WebhookEvent:
    """One event of the caller's communities; any other is not found, like one that never was."""
    query = _in_scope(sa.select(WebhookEvent).where(WebhookEvent.id == event_id), community_ids)
    found = session.scalar(query)
    if found is None:
        raise errors.WebhookEventNotFound(event=event_id)
    return found


def feed(
    session: Session, community_ids: list[str] | None, *, after: str | None, limit: int
) -> list[WebhookEvent]:
    """The events after the event ``after`` (from the first when None), in the order they were
    recorded: a reader that keeps the last id it saw resumes exactly where it stopped."""
    query = _in_scope(sa.select(WebhookEvent), community_ids)
    if after is not None:
        seq = session.scalar(sa.select(WebhookEvent.seq).where(WebhookEvent.id == after))
        if seq is None:
            raise errors.WebhookEventNotFound(event=after)
        query = query.where(WebhookEvent.seq > seq)
    return list(session.scalars(query.order_by(WebhookEvent.seq).limit(limit)))
