"""Webhook subscriptions of the caller's own key (integrator or admin): create (the secret is
shown once), list, read, pause, resume and delete. Another key's subscription answers 404."""

from flask import current_app

from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.schemas import PageQuery
from api.smorest import Blueprint
from api.webhooks.schemas import (
    CreatedSubscriptionSchema,
    SubscriptionPage,
    SubscriptionRequest,
    SubscriptionSchema,
)
from api.writes import write
from ledger.webhooks import subscriptions

blp = Blueprint(
    "webhook_subscriptions",
    __name__,
    url_prefix="/v1/webhooks",
    description="Webhook subscriptions",
)


def allow_private() -> bool:
    """The admin setting POINTSBANK_WEBHOOKS_ALLOW_PRIVATE: deliver to private addresses too."""
    return current_app.config.get("WEBHOOKS_ALLOW_PRIVATE") in (True, "true", "1")


@blp.route("/subscriptions", methods=["POST"])
@roles("integrator")
@write
@blp.arguments(SubscriptionRequest)
@blp.response(201, CreatedSubscriptionSchema)
def create(body):
    """Subscribe this key to event types; the answer holds the signing secret, shown only here."""
    return subscriptions.create(
        db.session,
        principal().key_id,
        **body,
        server_key=current_app.config["SECRET_KEY"],
        allow_private=allow_private(),
        now=now(),
    )


@blp.route("/subscriptions")
@roles("integrator")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, SubscriptionPage)
def index(limit, cursor=None):
    """This key's subscriptions, with why any is paused and its last delivery error."""
    return subscriptions.list_own(db.session, principal().key_id, limit=limit, cursor=cursor)


@blp.route("/subscriptions/<subscription_id>")
@roles("integrator")
@blp.response(200, SubscriptionSchema)
def show(subscription_id):
    """One of this key's subscriptions."""
    return subscriptions.get_own(db.session, principal().key_id, subscription_id)


@blp.route("/subscriptions/<subscription_id>/pause", methods=["POST"])
@roles("integrator")
@write
@blp.response(200, SubscriptionSchema)
def pause(subscription_id):
    """Stop deliveries; what happens meanwhile is delivered on resume (and is in the feed)."""
    return subscriptions.pause(db.session, principal().key_id, subscription_id)


@blp.route("/subscriptions/<subscription_id>/resume", methods=["POST"])
@roles("integrator")
@write
@blp.response(200, SubscriptionSchema)
def resume(subscription_id):
    """Deliver again, from where deliveries stopped."""
    return subscriptions.resume(db.session, principal().key_id, subscription_id)


@blp.route("/subscriptions/<subscription_id>", methods=["DELETE"])
@roles("integrator")
@write
@blp.response(204)
def delete(subscription_id):
    """Remove the subscription; nothing more is delivered to it."""
    subscriptions.delete(db.session, principal().key_id, subscription_id)
