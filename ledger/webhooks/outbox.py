"""The outbox: one row per thing that happened, written in the transaction that made it happen.

``record`` is called by the ledger function that makes the change, inside its transaction and
before its commit: a change that rolls back takes its event with it, and a change that commits
cannot lose it. A row names its resource (type and id); its body is rendered when it is served.

Reading: rows are served in their position ``(xid, seq)`` and only below the horizon (every
transaction that could still add a row at a lower position has ended), so a reader that keeps
the last position it passed never skips a row that commits late. Each key reads what its GETs
show (``Reach``): admin everything, staff their communities, an integrator the award events
of the earn events it posted; member and shop keys read no events.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import bulk
from ledger.core.ids import new_id

from . import errors
from .models import WebhookEvent, XidHorizon

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


# The event family whose rows name the key that posted the resource (an earn event's key).
POSTED_FAMILY = "award"
# Read by name, not through ledger.earning (which imports this module to record its events).
_earn_events = sa.table("earning_events", sa.column("id"), sa.column("api_key_id"))


def _posted_by(resource_id: str):
    """The earn event's key, looked up inside the INSERT (callers may hand over bare rows)."""
    return (
        sa.select(_earn_events.c.api_key_id)
        .where(_earn_events.c.id == resource_id)
        .scalar_subquery()
    )


def _row(event_type: str, resource, at: datetime) -> dict:
    family = event_type.split(".", 1)[0]
    posted_by = None
    if family == POSTED_FAMILY:
        # An earn event names its key itself; a bare row has it looked up by the INSERT.
        posted_by = getattr(resource, "api_key_id", None) or _posted_by(resource.id)
    return plain_row(event_type, resource, at=at, posted_by=posted_by)


def plain_row(event_type: str, resource, *, at: datetime, posted_by=None) -> dict:
    """The outbox row of ``event_type`` about ``resource``, with the key that posted it given
    by the caller (an award written in one statement cannot read back its own event row).
    Its ``xid`` is left to the inserting statement."""
    assert event_type in EVENT_TYPES, event_type
    family = event_type.split(".", 1)[0]
    return {
        "id": new_id(EVENT_ID_PREFIX),
        "type": event_type,
        "community_id": resource.community_id,
        "resource_type": RESOURCE_TYPES[family],
        "resource_id": resource.id,
        "occurred_at": at,
        "api_key_id": posted_by if family == POSTED_FAMILY else None,
    }


def record(session: Session, event_type: str, resource, *, at: datetime) -> None:
    """Add the event ``event_type`` about ``resource`` (anything with ``id`` and ``community_id``)."""
    session.execute(sa.insert(_events).values(_row(event_type, resource, at)))


def record_many(session: Session, events: Iterable[tuple[str, object]], *, at: datetime) -> int:
    """Add several events in one INSERT (a batch's); returns how many."""
    rows = [_row(event_type, resource, at) for event_type, resource in events]
    if not rows:
        return 0
    if any(isinstance(row["api_key_id"], sa.ScalarSelect) for row in rows):
        session.execute(sa.insert(_events).values(rows))  # one statement for them all
    else:
        bulk.insert_rows(session.connection(), _events, rows)
    return len(rows)


# Reading ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reach:
    """The events one key may read, as its GETs of their resources allow: those of
    ``community_ids`` (None: every community), and when ``posted_by`` is set only the award
    events of earn events that key posted."""

    community_ids: frozenset[str] | None
    posted_by: str | None = None


def reach(role: str, key_id: str, community_ids: Iterable[str]) -> Reach | None:
    """What a key of ``role`` reads; None (nothing) for member and shop keys.

    The same rule as the API's ``Principal.may_read``: staff read every resource of their
    communities; an integrator reads the earn events it posted (whatever community they are
    in) and no redemption, service or entry."""
    if role == "admin":
        return Reach(None)
    if role == "staff":
        return Reach(frozenset(community_ids))
    if role == "integrator":
        return Reach(None, posted_by=key_id)
    return None


def in_reach(query, scope: Reach | None):
    """Only the events ``scope`` may read (none for None)."""
    if scope is None:
        return query.where(sa.false())
    if scope.community_ids is not None:
        query = query.where(WebhookEvent.community_id.in_(sorted(scope.community_ids)))
    if scope.posted_by is not None:
        query = query.where(
            WebhookEvent.resource_type == RESOURCE_TYPES[POSTED_FAMILY],
            WebhookEvent.api_key_id == scope.posted_by,
        )
    return query


Position = tuple[int, int]  # (xid, seq): the order events are served and delivered in
START: Position = (0, 0)
_position = sa.tuple_(WebhookEvent.xid, WebhookEvent.seq)


def served(query, *, after: Position | None = None, upto: Position | None = None):
    """Only final rows (below the horizon), after ``after`` and up to ``upto``, in position order."""
    query = query.where(WebhookEvent.xid < XidHorizon())
    if after is not None:
        query = query.where(_position > after)
    if upto is not None:
        query = query.where(_position <= upto)
    return query.order_by(WebhookEvent.xid, WebhookEvent.seq)


def latest_position(session: Session) -> Position:
    """The position of the last final event: nothing can appear at or before it any more."""
    query = served(sa.select(WebhookEvent.xid, WebhookEvent.seq))
    row = session.execute(
        query.order_by(None).order_by(WebhookEvent.xid.desc(), WebhookEvent.seq.desc()).limit(1)
    ).first()
    return START if row is None else (row.xid, row.seq)


def get_event(session: Session, event_id: str, scope: Reach | None) -> WebhookEvent:
    """One event the key may read; any other is not found, like one that never was."""
    query = in_reach(sa.select(WebhookEvent).where(WebhookEvent.id == event_id), scope)
    found = session.scalar(query)
    if found is None:
        raise errors.WebhookEventNotFound(event=event_id)
    return found


def feed(
    session: Session, scope: Reach | None, *, after: str | None, limit: int
) -> list[WebhookEvent]:
    """The events after the event ``after`` (from the first when None), in the order they were
    recorded: a reader that keeps the last id it saw resumes exactly where it stopped, and an
    event still being written is waited for rather than passed."""
    position = None
    if after is not None:
        row = session.execute(
            sa.select(WebhookEvent.xid, WebhookEvent.seq).where(WebhookEvent.id == after)
        ).first()
        if row is None:
            raise errors.WebhookEventNotFound(event=after)
        position = (row.xid, row.seq)
    query = served(in_reach(sa.select(WebhookEvent), scope), after=position)
    return list(session.scalars(query.limit(limit)))
