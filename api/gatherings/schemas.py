"""Schemas of the gatherings endpoints: shape and range only; ``ledger/gatherings`` judges."""

from marshmallow import Schema, fields, validate

from api.schemas import Id, PageMeta, StrictSchema, Text
from ledger.core.models import NAME_MAX_LENGTH
from ledger.earning.models import ACTIVITY_MAX_LENGTH
from ledger.gatherings.gatherings import MAX_TOPICS
from ledger.gatherings.models import (
    ATTENDEE_NAMES,
    GATHERING_KINDS,
    PLACE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)


class GatheringRequest(StrictSchema):
    title = Text(TITLE_MAX_LENGTH, min_length=1, required=True)
    kind = fields.String(load_default="meeting", validate=validate.OneOf(GATHERING_KINDS))
    activity = Text(
        ACTIVITY_MAX_LENGTH,
        min_length=1,
        required=True,
        metadata={"description": "The earning rule its attendees earn under."},
    )
    place = Text(PLACE_MAX_LENGTH, min_length=1, required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    organizer = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "The organizing member's id; she earns nothing at it."},
    )
    organizer_name = Text(
        NAME_MAX_LENGTH,
        load_default="",
        metadata={"description": "The organizer's name as shown (required without organizer)."},
    )
    topics = fields.List(
        Text(TEXT_MAX_LENGTH, min_length=1),
        load_default=list,
        validate=validate.Length(max=MAX_TOPICS),
    )


class GatheringTopicSchema(Schema):
    position = fields.Integer()
    title = fields.String()
    decision = fields.String(allow_none=True)
    carried_by = fields.String(allow_none=True)
    feedback = fields.String(allow_none=True)
    carried_out = fields.Boolean()
    feedback_at = fields.AwareDateTime(allow_none=True)


class GatheringSchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    activity = fields.String()
    place = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    organizer = fields.String(attribute="organizer_member_id", allow_none=True)
    organizer_name = fields.String()
    published_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    topics = fields.List(fields.Nested(GatheringTopicSchema))


class GatheringPage(PageMeta):
    items = fields.List(fields.Nested(GatheringSchema))


class GatheringAttendanceRequest(StrictSchema):
    member = Id(metadata={"description": "The member's id (or member_ref)."})
    member_ref = Text(NAME_MAX_LENGTH, min_length=1, metadata={"description": "Or her reference."})


class GatheringAttendanceSchema(Schema):
    gathering = fields.String(attribute="attendance.gathering_id")
    member = fields.String(attribute="attendance.member_id")
    method = fields.String(attribute="attendance.method")
    ticked_by = fields.String(attribute="attendance.ticked_by")
    signed_in_at = fields.AwareDateTime(attribute="attendance.signed_in_at")
    event = fields.String(attribute="event.id", metadata={"description": "Her earn event."})
    status = fields.String(
        attribute="event.status", metadata={"description": "The award's status."}
    )
    points_awarded = fields.Integer(attribute="event.points_awarded")
    vests_at = fields.AwareDateTime(attribute="event.vests_at", allow_none=True)
    already_signed_in = fields.Boolean(attribute="already")


class GatheringAttendanceList(Schema):
    items = fields.List(fields.Nested(GatheringAttendanceSchema))


class GatheringDecisionSchema(StrictSchema):
    topic = Text(TEXT_MAX_LENGTH, min_length=1, required=True)
    decision = Text(TEXT_MAX_LENGTH, min_length=1, required=True)
    carried_by = Text(NAME_MAX_LENGTH, min_length=1, required=True)


class GatheringDecisionsRequest(StrictSchema):
    decisions = fields.List(
        fields.Nested(GatheringDecisionSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_TOPICS),
    )


class GatheringFeedbackRequest(StrictSchema):
    feedback = Text(TEXT_MAX_LENGTH, min_length=1, required=True)
    carried_out = fields.Boolean(required=True)


class GatheringNoticeAttendeeSchema(Schema):
    name = fields.String(allow_none=True)
    status = fields.String()
    points = fields.Integer()


class GatheringNoticeSchema(Schema):
    gathering = fields.Nested(GatheringSchema)
    attendee_names = fields.String(metadata={"description": "full, surname or count"})
    attendee_count = fields.Integer()
    attendees = fields.List(fields.Nested(GatheringNoticeAttendeeSchema))
    points_under_notice = fields.Integer()
    objection_deadline = fields.AwareDateTime(allow_none=True)


class GatheringSettingsSchema(StrictSchema):
    attendee_names = fields.String(required=True, validate=validate.OneOf(ATTENDEE_NAMES))


class GatheringReportQuery(StrictSchema):
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)


class GatheringMonthSchema(Schema):
    month = fields.String(metadata={"description": "YYYY-MM, the community's local month"})
    gatherings = fields.Integer()
    meetings = fields.Integer()
    attendance = fields.Integer()
    decisions = fields.Integer()
    decisions_carried_out = fields.Integer()


class GatheringReportSchema(Schema):
    months = fields.List(fields.Nested(GatheringMonthSchema))
