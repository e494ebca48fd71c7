"""Schemas of the time bank and the love bank: shape and range only (rules live in ledger/)."""

from marshmallow import Schema, fields, validate

from api.core.schemas import AccountSchema
from api.schemas import Amount, Id, PageMeta, PageQuery, StrictInteger, StrictSchema, Text, Unit
from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH, SLUG_MAX_LENGTH
from ledger.timebank.gifts import LOVE_BANK
from ledger.timebank.models import (
    CATEGORY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    MAX_EXCHANGE_CAP_MINUTES,
    MAX_EXCHANGE_RATE,
    MAX_STARS,
    MIN_STARS,
    SERVICE_FUNDERS,
    SERVICE_STATES,
)
from ledger.timebank.services import MAX_SERVICE_MINUTES


def Minutes(**kwargs):
    return StrictInteger(validate=validate.Range(min=1, max=MAX_SERVICE_MINUTES), **kwargs)


class ServiceCreate(StrictSchema):
    community = Text(
        SLUG_MAX_LENGTH,
        min_length=1,
        required=True,
        metadata={"description": "The community slug."},
    )
    title = Text(NAME_MAX_LENGTH, min_length=1, required=True)
    category = Text(
        CATEGORY_MAX_LENGTH,
        min_length=1,
        required=True,
        metadata={"description": "e.g. elder_care, child_care, repair, errand, companionship"},
    )
    minutes_estimate = Minutes(required=True)
    funded_by = fields.String(load_default="requester", validate=validate.OneOf(SERVICE_FUNDERS))
    requester = Id(
        metadata={
            "description": "Staff name the member who needs the help; "
            "a member's key is the requester itself."
        }
    )


class AssignRequest(StrictSchema):
    volunteer = Id(required=True)


class NoBody(StrictSchema):
    """An empty object (or no body at all)."""


class CompleteRequest(StrictSchema):
    minutes = Minutes(required=True, metadata={"description": "The actual minutes served."})


class RateRequest(StrictSchema):
    stars = StrictInteger(required=True, validate=validate.Range(min=MIN_STARS, max=MAX_STARS))
    comment = Text(COMMENT_MAX_LENGTH, load_default="")


class CancelRequest(StrictSchema):
    reason = Text(MEMO_MAX_LENGTH, load_default="")


class RatingSchema(Schema):
    stars = fields.Integer()
    comment = fields.String()
    rated_at = fields.AwareDateTime()
    rated_by = fields.String(metadata={"description": "requester, or staff recording it for them"})


class ServiceSchema(Schema):
    id = fields.String()
    community = fields.String(
        attribute="community.slug", metadata={"description": "The community slug."}
    )
    requester = fields.String(attribute="requester_id")
    volunteer = fields.String(allow_none=True, attribute="volunteer_id")
    title = fields.String()
    category = fields.String()
    funded_by = fields.String()
    funder_account = fields.String(attribute="funder_account_id")
    minutes_estimate = fields.Integer()
    minutes_actual = fields.Integer(allow_none=True)
    state = fields.String(metadata={"enum": list(SERVICE_STATES)})
    entry = fields.String(
        allow_none=True,
        attribute="entry_id",
        metadata={
            "description": "The hold on the funder while under way; the posted entry once confirmed."
        },
    )
    rating = fields.Nested(RatingSchema, allow_none=True)
    confirmed_by = fields.String(allow_none=True)
    cancelled_by = fields.String(allow_none=True)
    cancel_reason = fields.String()
    created_at = fields.AwareDateTime()
    assigned_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)


class ServicePage(PageMeta):
    items = fields.List(fields.Nested(ServiceSchema))


class CommunityServicesQuery(PageQuery):
    state = fields.String(
        load_default="open",
        validate=validate.OneOf(SERVICE_STATES),
        metadata={"description": "Members see open requests only; staff any state."},
    )
    category = Text(CATEGORY_MAX_LENGTH, min_length=1)


class MemberServicesQuery(PageQuery):
    as_ = fields.String(
        data_key="as", load_default="requester", validate=validate.OneOf(("requester", "volunteer"))
    )


class TransferRequest(StrictSchema):
    to = Id(
        required=True,
        metadata={
            "description": f"A member id of the giver's community, or {LOVE_BANK!r} for a donation."
        },
    )
    unit = Unit(required=True)
    amount = Amount(required=True)
    memo = Text(MEMO_MAX_LENGTH, load_default="")


class GrantRequest(StrictSchema):
    unit = Unit(required=True)
    amount = Amount(required=True)
    reason = Text(MEMO_MAX_LENGTH, min_length=1, required=True)


class LoveBankSchema(Schema):
    community = fields.String(attribute="slug", metadata={"description": "The community slug."})
    accounts = fields.List(fields.Nested(AccountSchema))


# Exchange of points for time credits -------------------------------------------------------------
def ExchangeRate(**kwargs):
    return StrictInteger(validate=validate.Range(min=1, max=MAX_EXCHANGE_RATE), **kwargs)


class ExchangeSettingsRequest(StrictSchema):
    enabled = fields.Boolean(required=True)
    rate_points = ExchangeRate(required=True, metadata={"description": "Points of one step."})
    rate_minutes = ExchangeRate(
        required=True, metadata={"description": "Minutes those points buy."}
    )
    monthly_cap_minutes = StrictInteger(
        required=True,
        validate=validate.Range(min=0, max=MAX_EXCHANGE_CAP_MINUTES),
        metadata={"description": "Most minutes a member gets by exchange in a calendar month."},
    )


class ExchangeSettingsSchema(Schema):
    community = fields.String(metadata={"description": "The community slug."})
    enabled = fields.Boolean()
    rate_points = fields.Integer(allow_none=True)
    rate_minutes = fields.Integer(allow_none=True)
    monthly_cap_minutes = fields.Integer(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


class ExchangeRequest(StrictSchema):
    points = Amount(required=True, metadata={"description": "Whole steps of the rate."})
    member = Id(
        metadata={"description": "Staff name the member; a member's key is the member itself."}
    )


class ExchangeSchema(Schema):
    entry = fields.String(attribute="entry.id")
    member = fields.String()
    points = fields.Integer()
    minutes = fields.Integer()
    monthly_cap_minutes = fields.Integer()
    used_minutes = fields.Integer(
        metadata={"description": "Minutes exchanged this calendar month, this one included."}
    )
    remaining_minutes = fields.Integer()
    posted_at = fields.AwareDateTime(attribute="entry.posted_at")
