"""Schemas of the core: communities, members, accounts, statements, entries, adjustments, keys."""

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
from ledger.core.apikeys import KEY_STATES
from ledger.core.journal import MAX_POSTINGS_PER_ENTRY
from ledger.core.models import (
    MEMO_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ROLES,
    SLUG_MAX_LENGTH,
    TIMEZONE_MAX_LENGTH,
)

# An integrator key names its communities in one request body; more is not a real integration.
MAX_KEY_COMMUNITIES = 100


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


class ExpiringSchema(Schema):
    points = fields.Integer()
    expires_on = fields.Date(metadata={"description": "The day, in the community's time zone."})
    expires_at = fields.AwareDateTime()


EXPIRING_DESCRIPTION = (
    "Points expiring within the community's warning days (30), by day, soonest first: "
    '"N points expire on DATE". On the balance and statement reads of an account.'
)


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
    expiring = fields.List(
        fields.Nested(ExpiringSchema), metadata={"description": EXPIRING_DESCRIPTION}
    )


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
    expiring = fields.List(
        fields.Nested(ExpiringSchema), metadata={"description": EXPIRING_DESCRIPTION}
    )


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


# API keys --------------------------------------------------------------------------------------
class ApiKeyCreate(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    community_slugs = fields.List(
        Text(SLUG_MAX_LENGTH, min_length=1),
        data_key="communities",
        load_default=list,
        validate=validate.Length(max=MAX_KEY_COMMUNITIES),
        metadata={"description": "Community slugs: one for staff, one or more for integrators."},
    )
    shop_id = Id(data_key="shop", metadata={"description": "The shop a shop key acts for."})
    member_id = Id(
        data_key="member",
        metadata={"description": "The member a member key is, or a staff key's holder is."},
    )
    label = Text(
        NAME_MAX_LENGTH, load_default="", metadata={"description": "Which till, which app."}
    )
    expires_at = fields.AwareDateTime(
        load_default=None, metadata={"description": "When the key stops working; none if absent."}
    )


class ApiKeyRotation(StrictSchema):
    expires_at = fields.AwareDateTime(
        load_default=None, metadata={"description": "A new expiry; the old one is kept if absent."}
    )


class ApiKeySchema(Schema):
    """What may be shown of a key: never its secret, nor the secret's hash."""

    id = fields.String()
    role = fields.String()
    label = fields.String()
    community_slugs = fields.List(fields.String(), data_key="communities")
    member_id = fields.String(allow_none=True, data_key="member")
    shop_id = fields.String(allow_none=True, data_key="shop")
    created_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "Accurate to about a minute."}
    )
    expires_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    state = fields.String(metadata={"enum": list(KEY_STATES)})


class ApiKeyPage(PageMeta):
    items = fields.List(fields.Nested(ApiKeySchema))


class IssuedKeySchema(Schema):
    key = fields.Nested(ApiKeySchema)
    token = fields.String(metadata={"description": "The bearer token; shown this once only."})
