"""The events feed: what the outbox holds that the caller could read through the API (admin
all, staff their communities, an integrator the award events of earn events it posted), oldest
first, by keyset, in the same shape as deliveries; a system that was down resumes from the last
id it saw. Member and shop keys have no feed (403)."""

from api.auth import principal, roles
from api.extensions import db
from api.smorest import Blueprint
from api.webhooks.render import envelope
from api.webhooks.schemas import EventEnvelopeSchema, FeedQuery, FeedSchema
from ledger.webhooks import outbox

blp = Blueprint("events_feed", __name__, url_prefix="/v1", description="Events feed")


def _scope() -> outbox.Reach | None:
    """The events the caller may read, by the rule of its GETs (``Principal.may_read``)."""
    who = principal()
    return outbox.reach(who.role, who.key_id, who.community_ids)


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
