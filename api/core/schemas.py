"""Schemas of the core: communities, members, accounts, statements, entries, adjustments."""

from marshmallow import Schema, fields, validate

from api.schemas import (
    Amount,
    Id,
    PageMeta,
    PageQuery,
    StrictInteger,
    StrictSchema,
    Text,
    Unit,
)
from ledger.core.journal import MAX_POSTINGS_PER_ENTRY
from ledger.core.models import (
    MEMO_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    TIMEZONE_MAX_LENGTH,
)


class PostingSchema(StrictSchema):
    from_account_id = Id(required=True, data_key="from")
    to_account_id = Id(required=True, data_key="to")
    unit = Unit(required=True)
    amount = Amount(required=True)


class EntrySchema(Schema):
    id = fields.String()
    community_id = fields.String(data_key="community")
    kind = fields.String()
    status = fields.String()
    occurred_at = fields.AwareDateTime()
    posted_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    memo = fields.String()
    details = fields.Dict(data_key="metadata")
    reverses_id = fields.String(allow_none=True, data_key="reverses")
    cause_id = fields.String(allow_none=True, data_key="cause")
    postings = fields.List(fields.Nested(PostingSchema))


class ReversalRequest(StrictSchema):
    reason = Text(MEMO_MAX_LENGTH, min_length=1, required=True)


class AdjustmentRequest(StrictSchema):
    postings = fields.List(
        fields.Nested(PostingSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_POSTINGS_PER_ENTRY),
    )
    reason = Text(MEMO_MAX_LENGTH, min_length=1, required=True)
    memo = Text(MEMO_MAX_LENGTH, load_default="")


class AccountSchema(Schema):
    id = fields.String()
    community_id = fields.String(data_key="community")
    owner_id = fields.String(data_key="owner")
    kind = fields.String()
    unit = fields.String()
    floor = fields.Integer(allow_none=True)
    status = fields.String()
    posted = fields.Integer()
    pending_in = fields.Integer()
    pending_out = fields.Integer()
    pending = fields.Integer()
    available = fields.Integer()


class StatementQuery(PageQuery):
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()


class StatementLineSchema(Schema):
    entry_id = fields.String(data_key="entry")
    kind = fields.String()
    memo = fields.String()
    occurred_at = fields.AwareDateTime()
    posted_at = fields.AwareDateTime()
    amount = fields.Integer()
    balance = fields.Integer()


class StatementSchema(PageMeta):
    account = fields.String()
    unit = fields.String()
    items = fields.List(fields.Nested(StatementLineSchema))


class BalanceAsOfQuery(StrictSchema):
    as_of = fields.AwareDateTime(required=True)


class BalanceAsOfSchema(Schema):
    account = fields.String()
    unit = fields.String()
    as_of = fields.AwareDateTime()
    posted = fields.Integer()


# Communities and members -----------------------------------------------------------------------
class CommunityCreate(StrictSchema):
    slug = fields.String(
        required=True,
        validate=[
            validate.Length(min=2, max=SLUG_MAX_LENGTH),
            validate.Regexp(
                r"^[a-z0-9][a-z0-9-]*$", error="Lowercase letters, digits and hyphens only."
            ),
        ],
    )
    name = Text(NAME_MAX_LENGTH, min_length=1, required=True)
    timezone = Text(TIMEZONE_MAX_LENGTH, min_length=1, load_default="Asia/Shanghai")
    time_floor_minutes = StrictInteger(load_default=0, validate=validate.Range(max=0))


class CommunitySummarySchema(Schema):
    id = fields.String()
    slug = fields.String()
    name = fields.String()
    timezone = fields.String()
    time_floor_minutes = fields.Integer()
    created_at = fields.AwareDateTime()


class CommunitySchema(CommunitySummarySchema):
    accounts = fields.List(fields.Nested(AccountSchema))


class CommunityPage(PageMeta):
    items = fields.List(fields.Nested(CommunitySummarySchema))


class MemberCreate(StrictSchema):
    external_ref = Text(NAME_MAX_LENGTH, min_length=1, required=True)
    display_name = Text(NAME_MAX_LENGTH, min_length=1, required=True)


class MemberSchema(Schema):
    id = fields.String()
    community = fields.String(
        attribute="community.slug", metadata={"description": "The community slug."}
    )
    external_ref = fields.String()
    display_name = fields.String()
    created_at = fields.AwareDateTime()
    accounts = fields.List(fields.Nested(AccountSchema))


class MemberPage(PageMeta):
    items = fields.List(fields.Nested(MemberSchema))
