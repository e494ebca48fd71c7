"""An outbox event as the API shows it: its envelope, with the resource rendered now by the
same output schema as the resource's own GET. Deliveries and the feed both use this, so a
delivered body equals ``GET /v1/events-feed/{id}`` at that moment, and its ``data`` equals the
resource's GET (``/v1/events/{id}``, ``/v1/redemptions/{id}``, ...)."""

from flask import current_app
from sqlalchemy.orm import Session

from api.clock import now
from api.core.schemas import EntrySchema
from api.earning.schemas import EventSchema
from api.supermarket.schemas import RedemptionSchema
from api.timebank.schemas import ServiceSchema
from api.webhooks.schemas import EventEnvelopeSchema
from ledger.core.corrections import get_entry
from ledger.core.models import Community
from ledger.earning import events as earning
from ledger.supermarket import redemptions
from ledger.timebank.services import get_service
from ledger.webhooks.models import WebhookEvent

# Each resource type's renderer: the resource loaded and dumped as its GET answers it.
RENDERERS = {
    "earn_event": lambda session, id_: EventSchema().dump(
        earning.answer(session, earning.get_event(session, id_))
    ),
    "redemption": lambda session, id_: RedemptionSchema().dump(
        redemptions.shown(redemptions.get_redemption(session, id_), at=now())
    ),
    "service": lambda session, id_: ServiceSchema().dump(get_service(session, id_)),
    "entry": lambda session, id_: EntrySchema().dump(get_entry(session, id_)),
}

_envelope = EventEnvelopeSchema()


def envelope(session: Session, event: WebhookEvent) -> dict:
    """The event with its resource as the API shows it now (the envelope schema dumps it)."""
    return {
        "id": event.id,
        "type": event.type,
        "community": session.get_one(Community, event.community_id).slug,
        "occurred_at": event.occurred_at,
        "resource": {"type": event.resource_type, "id": event.resource_id},
        "data": RENDERERS[event.resource_type](session, event.resource_id),
    }


def body(session: Session, event: WebhookEvent) -> bytes:
    """The delivered body: the envelope as JSON, encoded as the API encodes its answers."""
    return current_app.json.dumps(_envelope.dump(envelope(session, event))).encode()
