"""Schemas of point expiry: shape and range only (rules live in ledger/expiry/)."""

from marshmallow import Schema, fields, validate

from api.schemas import StrictInteger, StrictSchema
from ledger.expiry.models import MAX_EXPIRY_MONTHS


class ExpirySettingsRequest(StrictSchema):
    months = StrictInteger(
        required=True,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_EXPIRY_MONTHS),
        metadata={"description": "Points expire this many months after earned; null: never."},
    )


class ExpirySettingsSchema(Schema):
    community = fields.String(metadata={"description": "The community slug."})
    months = fields.Integer(allow_none=True)
    warning_days = fields.Integer(
        metadata={"description": "How far ahead members see what is about to expire."}
    )
    updated_at = fields.AwareDateTime(allow_none=True)
