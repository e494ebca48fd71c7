"""The events feed: what the outbox holds for the caller's communities, oldest first, by keyset,
in the same shape as deliveries; a system that was down resumes from the last id it saw."""

from flask_smorest import Blueprint

from api.auth import principal, roles
from api.extensions import db
from api.webhooks.render import envelope
from api.webhooks.schemas import EventEnvelopeSchema, FeedQuery, FeedSchema
from ledger.webhooks import outbox

blp = Blueprint("events_feed", __name__, url_prefix="/v1", description="Events feed")


def _scope() -> list[str] | None:
    """The caller's communities (None: all of them, for admin)."""
    who = principal()
    return None if who.is_admin else sorted(who.community_ids)


@blp.route("/events-feed")
@roles("staff", "integrator")
@blp.arguments(FeedQuery, location="query", as_kwargs=True)
@blp.response(200, FeedSchema)
def index(limit, after=None):
    """Events after ``after`` (an event id), in the order they happened."""
    events = outbox.feed(db.session, _scope(), after=after, limit=limit)
    items = [envelope(db.session, event) for event in events]
    return {"items": items, "last": events[-1].id if events else after}


@blp.route("/events-feed/<event_id>")
@roles("staff", "integrator")
@blp.response(200, EventEnvelopeSchema)
def show(event_id):
    """One event, its resource as it is now: the body its deliveries carry at this moment."""
    return envelope(db.session, outbox.get_event(db.session, event_id, _scope()))
