"""Webhooks' shapes: subscriptions, and events as delivered and as the feed lists them."""

from marshmallow import Schema, fields, validate

from api.schemas import PageMeta, StrictSchema, Text
from ledger.core.paging import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT
from ledger.webhooks.models import URL_MAX_LENGTH
from ledger.webhooks.outbox import EVENT_TYPES

MAX_EVENT_TYPES = len(EVENT_TYPES)


class SubscriptionRequest(StrictSchema):
    url = Text(URL_MAX_LENGTH, min_length=1, required=True)
    event_types = fields.List(
        fields.String(validate=validate.OneOf(EVENT_TYPES)),
        required=True,
        validate=validate.Length(min=1, max=MAX_EVENT_TYPES),
        metadata={"description": f"Any of: {', '.join(EVENT_TYPES)}."},
    )


class SubscriptionSchema(Schema):
    id = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    state = fields.String(metadata={"description": "active or paused"})
    paused_reason = fields.String(allow_none=True)
    last_error = fields.String(
        allow_none=True, metadata={"description": "Why the last failed delivery failed."}
    )
    failing_since = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class CreatedSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(
        metadata={"description": "Signs every delivery; shown in this answer only."}
    )


class SubscriptionPage(PageMeta):
    items = fields.List(fields.Nested(SubscriptionSchema))


class ResourceSchema(Schema):
    type = fields.String()
    id = fields.String()


class EventEnvelopeSchema(Schema):
    """An event as delivered and listed; ``data`` is the resource as its own GET shows it now."""

    id = fields.String()
    type = fields.String()
    community = fields.String(metadata={"description": "The community's slug."})
    occurred_at = fields.AwareDateTime()
    resource = fields.Nested(ResourceSchema)
    data = fields.Dict()


class FeedQuery(StrictSchema):
    after = Text(
        100, metadata={"description": "The id of the last event seen; omit to start at the first."}
    )
    limit = fields.Integer(
        load_default=DEFAULT_PAGE_LIMIT, validate=validate.Range(min=1, max=MAX_PAGE_LIMIT)
    )


class FeedSchema(Schema):
    items = fields.List(fields.Nested(EventEnvelopeSchema))
    last = fields.String(
        allow_none=True,
        metadata={"description": "Pass as ``after`` for the next events (null: none yet)."},
    )
