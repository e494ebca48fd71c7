"""Schemas of closing members, districts, moves and the statement of a pair of communities."""

from marshmallow import Schema, fields, validate

from api.schemas import Amount, Id, StrictSchema, Text
from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH, SLUG_MAX_LENGTH

SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9-]*$", error="Lowercase letters, digits and hyphens only.")


class ClosingRequest(StrictSchema):
    to = Text(
        NAME_MAX_LENGTH,
        min_length=1,
        required=True,
        metadata={"description": 'A member id of her community, or "love_bank".'},
    )
    reason = Text(MEMO_MAX_LENGTH, min_length=1, required=True)


class ClosingSchema(Schema):
    member = fields.String(attribute="member_id")
    to_member = fields.String(attribute="to_member_id", allow_none=True)
    to_love_bank = fields.Boolean()
    entry = fields.String(
        attribute="entry_id",
        allow_none=True,
        metadata={"description": "The one entry that moved her remainder; null if she had none."},
    )
    reason = fields.String()
    closed_at = fields.AwareDateTime()


class DistrictCreate(StrictSchema):
    slug = fields.String(
        required=True, validate=[validate.Length(min=2, max=SLUG_MAX_LENGTH), SLUG]
    )
    name = Text(NAME_MAX_LENGTH, min_length=1, required=True)


class DistrictSchema(Schema):
    id = fields.String()
    slug = fields.String()
    name = fields.String()
    created_at = fields.AwareDateTime()
    communities = fields.List(fields.String(), metadata={"description": "Community slugs."})


class MoveRequest(StrictSchema):
    member = Id(
        required=True, metadata={"description": "The resident, in the community she leaves."}
    )
    to_community = Text(SLUG_MAX_LENGTH, min_length=1, required=True)
    minutes = Amount(required=True)
    to_member_ref = Text(
        NAME_MAX_LENGTH,
        min_length=1,
        metadata={"description": "Her reference in the other community (default: her own)."},
    )
    memo = Text(MEMO_MAX_LENGTH, load_default="")


class MoveSchema(Schema):
    id = fields.String()
    from_community = fields.String(attribute="from_community_id")
    to_community = fields.String(attribute="to_community_id")
    from_member = fields.String(attribute="from_member_id")
    to_member = fields.String(attribute="to_member_id")
    minutes = fields.Integer()
    from_entry = fields.String(attribute="from_entry_id")
    to_entry = fields.String(attribute="to_entry_id")
    memo = fields.String()
    created_at = fields.AwareDateTime()


class PairStatementSchema(Schema):
    community = fields.String(attribute="community.slug")
    counterparty = fields.String(attribute="counterparty.slug")
    moves = fields.List(fields.Nested(MoveSchema))
    minutes_out = fields.Integer()
    minutes_in = fields.Integer()
    net_minutes = fields.Integer(
        metadata={"description": "Minutes the community owes its counterparty (negative: owed)."}
    )
    clearing_balance = fields.Integer()
    counterparty_clearing_balance = fields.Integer()
