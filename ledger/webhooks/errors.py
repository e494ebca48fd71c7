"""The webhooks' rules, one exception each."""

from ledger.core.errors import Invalid, NotFound, Refused


class SubscriptionNotFound(NotFound):
    slug = "subscription-not-found"
    title = "No such webhook subscription."


class WebhookEventNotFound(NotFound):
    slug = "webhook-event-not-found"
    title = "No such event."


class UnknownEventType(Invalid):
    slug = "unknown-event-type"
    title = "A subscription names only event types pointsbank emits."


class UrlNotAllowed(Invalid):
    slug = "webhook-url-not-allowed"
    title = "A webhook URL is http(s) and points at a public host."


class TooManySubscriptions(Refused):
    slug = "too-many-subscriptions"
    title = "An API key has at most MAX_SUBSCRIPTIONS_PER_KEY webhook subscriptions."
