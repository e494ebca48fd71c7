"""Public notice (公示): awards wait under notice, staff may object, the sweep vests the rest.

An award under notice is a pending entry; it moves to posted once (``vest_due_awards``) or to
voided once (``object_to_event``), never both: both claim the event row with a lock first.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.errors import require_reason
from ledger.core.journal import post_pending, void_pending
from ledger.core.lookup import lock_or_raise
from ledger.core.models import Entry
from ledger.webhooks import outbox

from . import errors
from .events import award_entry_id
from .models import EVENT_TRANSITIONS, OBJECTION_MAX_LENGTH, EarningEvent

_events = EarningEvent.__table__


# ----------------------------------------------------------------------------------
def object_to_event(session: Session, event_id: str, *, reason: str, now: datetime) -> EarningEvent:
    """Staff object to an award under public notice: it is voided and never vests."""
    reason = require_reason(reason, max_length=OBJECTION_MAX_LENGTH)
    # Read afresh under the lock: the status as it is after the lock wait.
    event = lock_or_raise(
        session,
        sa.select(EarningEvent).where(EarningEvent.id == event_id).with_for_update(of=_events),
        errors.EventNotFound,
        event=event_id,
    )
    sources, target = EVENT_TRANSITIONS["object"]
    if event.status not in sources:
        raise errors.EventNotPending(event=event_id, status=event.status)
    if now >= event.vests_at:
        raise errors.NoticePeriodOver(
            event=event_id, vests_at=event.vests_at.isoformat(), now=now.isoformat()
        )
    entry_id = award_entry_id(session, event_id)
    assert entry_id is not None  # a pending event awarded points (a CHECK says so): its entry
    void_pending(session, entry_id, now=now)
    event.status = target
    event.resolved_at = now
    event.objection_reason = reason
    session.flush()
    outbox.record(session, "award.voided", event, at=now)
    return event


VEST_CHUNK = 200
MAX_VESTS_PER_SWEEP = 10_000  # bounds one sweep's transaction; the next run takes the rest


def vest_due_awards(session: Session, now: datetime) -> int:
    """Post every award whose public notice ended by ``now``; returns how many vested.

    Safe to run again and concurrently: rows are claimed with FOR UPDATE SKIP LOCKED (another
    sweep or an objection in flight keeps its rows), the status is changed only where it is
    still pending, and post_pending refuses to resolve an entry twice.
    """
    (source,), target = EVENT_TRANSITIONS["vest"]  # claimed by conditional UPDATE: one source
    vested = 0
    while vested < MAX_VESTS_PER_SWEEP:
        claimed = session.execute(
            sa.select(_events.c.id, _events.c.community_id)
            .where(_events.c.status == source, _events.c.vests_at <= now)
            .order_by(_events.c.vests_at, _events.c.id)
            .limit(VEST_CHUNK)
            .with_for_update(skip_locked=True)
        ).all()
        due = [row.id for row in claimed]
        if not due:
            break
        entries = dict(
            session.execute(
                sa.select(Entry.cause_id, Entry.id).where(
                    Entry.cause_id.in_(due), Entry.kind == "award"
                )
            ).all()
        )
        for event_id in due:
            post_pending(session, entries[event_id], now=now)
        session.execute(
            _events.update()
            .where(_events.c.id.in_(due), _events.c.status == source)
            .values(status=target, resolved_at=now)
        )
        vested += outbox.record_many(session, [("award.vested", row) for row in claimed], at=now)
    return vested
