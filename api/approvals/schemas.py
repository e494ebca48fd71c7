"""Schemas of two-person approval: held requests, decisions and thresholds."""

from marshmallow import Schema, fields, validate

from api.schemas import Amount, PageMeta, PageQuery, StrictSchema, Text
from ledger.approvals.models import APPROVAL_KINDS, APPROVAL_STATUSES, HOLD_REASONS
from ledger.core.journal import MAX_AMOUNT
from ledger.core.models import MEMO_MAX_LENGTH


class HeldPostingSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    unit = fields.String()
    amount = fields.Integer()


class ApprovalSchema(Schema):
    """A held staff write: not an entry; its approval posts ``entry``."""

    id = fields.String()
    community_id = fields.String(data_key="community")
    kind = fields.String(metadata={"enum": list(APPROVAL_KINDS)})
    status = fields.String(metadata={"enum": list(APPROVAL_STATUSES)})
    held_because = fields.String(metadata={"enum": list(HOLD_REASONS)})
    postings = fields.List(fields.Nested(HeldPostingSchema))
    reason = fields.String()
    memo = fields.String()
    requested_by_key_id = fields.String(data_key="requested_by_key")
    requested_by_person = fields.String(
        metadata={"description": "member:<id>, label:<label> or key:<id> (see the README)."}
    )
    requested_at = fields.AwareDateTime()
    decided_by_key_id = fields.String(allow_none=True, data_key="decided_by_key")
    decided_by_person = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    entry_id = fields.String(
        allow_none=True,
        data_key="entry",
        metadata={"description": "The entry the approval posted."},
    )


class ApprovalPage(PageMeta):
    items = fields.List(fields.Nested(ApprovalSchema))


class ApprovalQuery(PageQuery):
    status = fields.String(load_default="pending", validate=validate.OneOf(APPROVAL_STATUSES))


class RejectionRequest(StrictSchema):
    reason = Text(MEMO_MAX_LENGTH, min_length=1, required=True)


def Threshold(**kwargs):
    return Amount(
        allow_none=True,
        metadata={"description": f"1 to {MAX_AMOUNT}, or null for no threshold."},
        **kwargs,
    )


class ThresholdsSchema(Schema):
    points = fields.Integer(allow_none=True)
    minutes = fields.Integer(allow_none=True)


class ThresholdsUpdate(StrictSchema):
    points = Threshold()
    minutes = Threshold()
