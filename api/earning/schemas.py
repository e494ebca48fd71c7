"""Schemas of the earning endpoints: shape and range only; ``ledger/earning*`` judges."""

from marshmallow import Schema, ValidationError, fields, validate

from api.schemas import AttributesDict, Id, PageMeta, PageQuery, StrictInteger, StrictSchema, Text
from ledger.core.models import NAME_MAX_LENGTH, SLUG_MAX_LENGTH
from ledger.earning.events import MAX_BATCH_EVENTS, MAX_EVENT_MINUTES
from ledger.earning.models import (
    ACTIVITY_MAX_LENGTH,
    CAP_PERIODS,
    EVIDENCE_MAX_LENGTH,
    OBJECTION_MAX_LENGTH,
    RULE_PERS,
    RULE_TITLE_MAX_LENGTH,
    SOURCE_ID_MAX_LENGTH,
)
from ledger.earning.rules import MAX_CAP_COUNT, MAX_CAP_POINTS, MAX_NOTICE_DAYS, MAX_RULE_POINTS


# Rules ------------------------------------------------------------------------------------------
class CapSchema(StrictSchema):
    period = fields.String(required=True, validate=validate.OneOf(CAP_PERIODS))
    max_points = StrictInteger(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=MAX_CAP_POINTS)
    )
    max_count = StrictInteger(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=MAX_CAP_COUNT)
    )


class RulePut(StrictSchema):
    points = StrictInteger(
        required=True,
        validate=validate.Range(min=1, max=MAX_RULE_POINTS),
        metadata={"description": "Points per event, or per hour (prorated)."},
    )
    per = fields.String(load_default="event", validate=validate.OneOf(RULE_PERS))
    caps = fields.List(
        fields.Nested(CapSchema), load_default=list, validate=validate.Length(max=len(CAP_PERIODS))
    )
    notice_days = StrictInteger(
        load_default=0,
        validate=validate.Range(min=0, max=MAX_NOTICE_DAYS),
        metadata={"description": "Days of public notice before vesting."},
    )
    valid_from = fields.AwareDateTime(allow_none=True, load_default=None)
    valid_to = fields.AwareDateTime(allow_none=True, load_default=None)
    title = Text(
        RULE_TITLE_MAX_LENGTH,
        load_default="",
        metadata={
            "description": "How residents read the activity (e.g. 星空夜话); "
            "empty: they read its code."
        },
    )


class RuleVersionSchema(Schema):
    id = fields.String()
    version = fields.Integer()
    title = fields.String()
    points = fields.Integer()
    per = fields.String()
    caps = fields.List(fields.Nested(CapSchema))
    notice_days = fields.Integer()
    valid_from = fields.AwareDateTime(allow_none=True)
    valid_to = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime(
        metadata={"description": "When this version was set; in force for events from then."}
    )


class RuleSummarySchema(Schema):
    community = fields.String()
    activity = fields.String()
    current = fields.Nested(RuleVersionSchema)


class RuleSchema(RuleSummarySchema):
    versions = fields.List(
        fields.Nested(RuleVersionSchema), metadata={"description": "Every version, newest first."}
    )


class RulePage(PageMeta):
    items = fields.List(
        fields.Nested(RuleSummarySchema), metadata={"description": "Each rule's current version."}
    )


# Events -----------------------------------------------------------------------------------------
class EventRequest(StrictSchema):
    community = Text(SLUG_MAX_LENGTH, min_length=1, required=True)
    activity = Text(ACTIVITY_MAX_LENGTH, min_length=1, required=True)
    member = Id(metadata={"description": "The member's id; or give member_ref instead."})
    member_ref = Text(
        NAME_MAX_LENGTH, min_length=1, metadata={"description": "The member's external reference."}
    )
    occurred_at = fields.AwareDateTime(required=True)
    quantity = StrictInteger(
        validate=validate.Range(min=1, max=MAX_EVENT_MINUTES),
        metadata={"description": "Minutes, for a per-hour rule; 1 or absent for a per-event rule."},
    )
    source_id = Text(
        SOURCE_ID_MAX_LENGTH,
        min_length=1,
        required=True,
        metadata={
            "description": "Your id for this event: posting it again returns the first answer."
        },
    )
    recorded_by = Text(
        NAME_MAX_LENGTH,
        min_length=1,
        required=True,
        metadata={"description": "Who signed the member in; never the member."},
    )
    evidence = Text(EVIDENCE_MAX_LENGTH, load_default="")


class ShapeErrors:
    """Stands in for a batch item whose shape is wrong, so the other items still run."""

    def __init__(self, messages):
        self.messages = messages


class EachEvent(fields.Nested):
    """A batch item: loaded alone, so one malformed event does not fail the batch."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        try:
            return super().deserialize(value, attr, data, **kwargs)
        except ValidationError as error:
            return ShapeErrors(error.messages)


class BatchRequest(StrictSchema):
    events = fields.List(
        EachEvent(EventRequest),
        required=True,
        validate=validate.Length(min=1, max=MAX_BATCH_EVENTS),
    )


class ObjectionRequest(StrictSchema):
    reason = Text(OBJECTION_MAX_LENGTH, min_length=1, required=True)


class CapStandingSchema(Schema):
    period = fields.String()
    period_start = fields.String()
    period_end = fields.String()
    max_points = fields.Integer(allow_none=True)
    max_count = fields.Integer(allow_none=True)
    points_used = fields.Integer()
    count_used = fields.Integer()
    points_remaining = fields.Integer(allow_none=True)
    count_remaining = fields.Integer(allow_none=True)


# What an event shows of the rule version that judged it.
RULE_IN_FORCE_FIELDS = ("id", "version", "points", "per", "notice_days")


class LimitSchema(Schema):
    period = fields.String()
    limit = fields.String(metadata={"description": "max_points or max_count"})
    max = fields.Integer()
    used = fields.Integer(metadata={"description": "What was used before this event."})


class EventSchema(Schema):
    id = fields.String()
    community = fields.String()
    activity = fields.String()
    member = fields.String(attribute="member_id")
    occurred_at = fields.AwareDateTime()
    quantity = fields.Integer()
    source_id = fields.String()
    recorded_by = fields.String()
    evidence = fields.String()
    rule = AttributesDict(
        RULE_IN_FORCE_FIELDS,
        metadata={"description": "The rule version that judged it."},
    )
    status = fields.String(
        metadata={
            "description": "awarded, pending (public notice), refused (nothing awarded) or voided."
        }
    )
    points_due = fields.Integer(metadata={"description": "What the rule gives before caps."})
    points_awarded = fields.Integer()
    outcome = fields.String(metadata={"description": "full, partial or refused."})
    reason = fields.String()
    limited_by = fields.Nested(LimitSchema, allow_none=True)
    caps = fields.List(
        fields.Nested(CapStandingSchema), metadata={"description": "Each cap after this event."}
    )
    entry = fields.String(allow_none=True)
    vests_at = fields.AwareDateTime(allow_none=True)
    resolved_at = fields.AwareDateTime(allow_none=True)
    objection_reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    replayed = fields.Boolean()


class BatchItemSchema(Schema):
    index = fields.Integer()
    status = fields.Integer(metadata={"description": "201 new, 200 replayed, 4xx problem."})
    event = fields.Nested(EventSchema, allow_none=True)
    problem = fields.Dict(allow_none=True)


class BatchSummarySchema(Schema):
    events = fields.Integer()
    awarded = fields.Integer()
    pending = fields.Integer()
    refused = fields.Integer()
    replayed = fields.Integer()
    failed = fields.Integer()
    points_awarded = fields.Integer()


class BatchSchema(Schema):
    summary = fields.Nested(BatchSummarySchema)
    results = fields.List(fields.Nested(BatchItemSchema))


class EventListQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(("awarded", "pending", "refused", "voided")))
    member = Id()


class EventPage(PageMeta):
    items = fields.List(fields.Nested(EventSchema))
