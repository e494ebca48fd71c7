"""Schemas of the points supermarket: shops, catalogue, consent, redemptions, settlements.

Shape and range only; the rules (stock, balance, consent, refund limits) live in ``ledger/``.
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.core.schemas import AccountSchema
from api.schemas import Amount, Id, PageMeta, StrictInteger, StrictSchema, Text
from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH
from ledger.supermarket.catalogue import MAX_FEN_PER_POINT, MAX_PRICE_POINTS, MAX_STOCK
from ledger.supermarket.consent import CONSENT_CODE_DIGITS, PIN_MAX_DIGITS, PIN_MIN_DIGITS
from ledger.supermarket.models import ITEM_KINDS, SKU_MAX_LENGTH
from ledger.supermarket.redemptions import MAX_LINES, MAX_QUANTITY

# A little longer than a real code or PIN, so a typo gets a consent refusal rather than a 422.
CONSENT_SECRET_MAX_LENGTH = 32


def Sku(**kwargs):
    return fields.String(
        validate=[
            validate.Length(min=1, max=SKU_MAX_LENGTH),
            validate.Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*$", error="Letters, digits, '.', '_' and '-' only."
            ),
        ],
        **kwargs,
    )


def Quantity(**kwargs):
    return StrictInteger(validate=validate.Range(min=1, max=MAX_QUANTITY), **kwargs)


def yuan(fen: int) -> str:
    """Integer fen as a yuan string, sign first: -150 is "-1.50"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class Yuan(fields.String):
    """A settlement's money due (integer fen), shown as a yuan string."""

    _CHECK_ATTRIBUTE = False  # read from money_due_fen, which another field dumps too

    def _serialize(self, value, attr, obj, **kwargs):
        return yuan(obj.money_due_fen)


class Unlimited(fields.Boolean):
    """An item's stock is unlimited where no count is kept (stock is None)."""

    _CHECK_ATTRIBUTE = False  # read from stock, which another field dumps too

    def _serialize(self, value, attr, obj, **kwargs):
        return obj.stock is None


DEPRECATED_TEXT = {"type": "string", "deprecated": True}


class ShopAccountSchema(AccountSchema):
    """A shop's account as every account is shown (community, owner), and under the ledger's own
    names community_id and owner_id too, as it was first served (deprecated; same values)."""

    ledger_community_id = fields.Function(
        lambda account: account.community_id, data_key="community_id", metadata=DEPRECATED_TEXT
    )
    ledger_owner_id = fields.Function(
        lambda account: account.owner_id, data_key="owner_id", metadata=DEPRECATED_TEXT
    )


class ShopCreate(StrictSchema):
    name = Text(NAME_MAX_LENGTH, min_length=1, required=True)


class ShopSchema(Schema):
    id = fields.String()
    community = fields.String(metadata={"description": "The community slug."})
    name = fields.String()
    account = fields.Nested(
        ShopAccountSchema, metadata={"description": "The shop's points account and its balances."}
    )
    created_at = fields.AwareDateTime()


class ShopPage(PageMeta):
    items = fields.List(fields.Nested(ShopSchema))


class ItemCreate(StrictSchema):
    sku = Sku(required=True)
    name = Text(NAME_MAX_LENGTH, min_length=1, required=True)
    price_points = StrictInteger(
        required=True, validate=validate.Range(min=1, max=MAX_PRICE_POINTS)
    )
    stock = StrictInteger(validate=validate.Range(min=0, max=MAX_STOCK))
    unlimited = fields.Boolean(load_default=False)
    active = fields.Boolean(load_default=True)
    kind = fields.String(
        load_default="goods",
        validate=validate.OneOf(ITEM_KINDS),
        metadata={"description": "goods, or a service (haircut, repair): always unlimited."},
    )

    @validates_schema
    def stock_or_unlimited(self, data, **kwargs):
        if data.get("unlimited") == ("stock" in data):
            raise ValidationError("Give either a stock count or unlimited: true.", "stock")


class ItemPatch(StrictSchema):
    name = Text(NAME_MAX_LENGTH, min_length=1)
    price_points = StrictInteger(validate=validate.Range(min=1, max=MAX_PRICE_POINTS))
    stock = StrictInteger(validate=validate.Range(min=0, max=MAX_STOCK))
    unlimited = fields.Boolean()
    active = fields.Boolean()

    @validates_schema
    def not_both(self, data, **kwargs):
        if data.get("unlimited") and "stock" in data:
            raise ValidationError("Give either a stock count or unlimited: true.", "stock")
        if data.get("unlimited") is False and "stock" not in data:
            raise ValidationError("Ending unlimited stock needs a stock count.", "stock")
        if not data:
            raise ValidationError("Nothing to change.", "body")


class ItemSchema(Schema):
    sku = fields.String()
    name = fields.String()
    price_points = fields.Integer()
    stock = fields.Integer(allow_none=True)
    unlimited = Unlimited()
    kind = fields.String(metadata={"enum": list(ITEM_KINDS)})
    active = fields.Boolean()
    updated_at = fields.AwareDateTime()


class ItemPage(PageMeta):
    items = fields.List(fields.Nested(ItemSchema))


class RedemptionSettingsSchema(StrictSchema):
    fen_per_point = StrictInteger(
        required=True, validate=validate.Range(min=0, max=MAX_FEN_PER_POINT)
    )


# Consent ---------------------------------------------------------------------------------------
class ConsentCodeSchema(Schema):
    member = fields.String()
    code = fields.String(metadata={"description": f"{CONSENT_CODE_DIGITS} digits, shown once."})
    expires_at = fields.AwareDateTime()


class PinRequest(StrictSchema):
    pin = fields.String(
        required=True,
        validate=validate.Regexp(
            rf"^[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}$",
            error=f"{PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits.",
        ),
    )


class ConsentSchema(StrictSchema):
    code = Text(CONSENT_SECRET_MAX_LENGTH, min_length=1)
    pin = Text(CONSENT_SECRET_MAX_LENGTH, min_length=1)

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if len(data) != 1:
            raise ValidationError("Give exactly one of code or pin.", "consent")


# Redemptions -----------------------------------------------------------------------------------
class LineRequest(StrictSchema):
    sku = Sku(required=True)
    quantity = Quantity(required=True)


class _LinesOrPoints(StrictSchema):
    lines = fields.List(fields.Nested(LineRequest), validate=validate.Length(min=1, max=MAX_LINES))
    points = Amount()
    memo = Text(MEMO_MAX_LENGTH, load_default="")

    @validates_schema
    def lines_or_points(self, data, **kwargs):
        if ("lines" in data) == ("points" in data):
            raise ValidationError("Give either lines or points.", "lines")


class RedemptionCreate(_LinesOrPoints):
    member = Id(required=True)
    shop = Id(metadata={"description": "Optional; must be the shop of the calling key."})
    consent = fields.Nested(ConsentSchema, required=True)
    capture = fields.Boolean(load_default=True)

    @validates_schema
    def memo_for_points(self, data, **kwargs):
        if "points" in data and not data.get("memo", "").strip():
            raise ValidationError("A redemption by points needs a memo.", "memo")


class RefundRequest(_LinesOrPoints):
    pass


class RedemptionLineSchema(Schema):
    sku = fields.String()
    name = fields.String()
    unit_price_points = fields.Integer()
    quantity = fields.Integer()
    refunded_quantity = fields.Integer()


class RedemptionSchema(Schema):
    id = fields.String()
    shop = fields.String(attribute="shop_id")
    member = fields.String(attribute="member_id")
    status = fields.String(
        metadata={
            "description": "held, captured, voided, or expired (a hold "
            "past its expiry, no longer reserved)."
        }
    )
    points = fields.Integer()
    refunded_points = fields.Integer()
    memo = fields.String()
    consent = fields.String(attribute="consent_method")
    lines = fields.List(fields.Nested(RedemptionLineSchema))
    entry = fields.String(attribute="entry_id")
    hold_expires_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    captured_at = fields.AwareDateTime(allow_none=True)
    voided_at = fields.AwareDateTime(allow_none=True)
    settlement = fields.String(allow_none=True, attribute="settlement_id")
    member_available_points = fields.Integer(
        allow_none=True,
        metadata={"description": "The member's available points after this write; null on reads."},
    )


class RedemptionPage(PageMeta):
    items = fields.List(fields.Nested(RedemptionSchema))


class RefundSchema(Schema):
    id = fields.String()
    redemption = fields.Nested(RedemptionSchema)
    points = fields.Integer()
    lines = fields.List(fields.Dict())
    memo = fields.String()
    entry = fields.String(attribute="entry_id")
    created_at = fields.AwareDateTime()


# Settlements -----------------------------------------------------------------------------------
class SettledRedemptionSchema(Schema):
    id = fields.String()
    points = fields.Integer()
    captured_at = fields.AwareDateTime()


class SettledRefundSchema(Schema):
    id = fields.String()
    redemption = fields.String(attribute="redemption_id")
    points = fields.Integer()
    created_at = fields.AwareDateTime()


class SettlementSchema(Schema):
    id = fields.String()
    shop = fields.String(attribute="shop_id")
    entry = fields.String(allow_none=True, attribute="entry_id")
    redeemed_points = fields.Integer()
    refunded_points = fields.Integer()
    points = fields.Integer()
    fen_per_point = fields.Integer()
    money_due_fen = fields.Integer()
    money_due_yuan = Yuan(metadata={"description": "money_due_fen as a decimal string."})
    created_at = fields.AwareDateTime()
    redemptions = fields.List(fields.Nested(SettledRedemptionSchema))
    refunds = fields.List(fields.Nested(SettledRefundSchema))


class SettlementPage(PageMeta):
    items = fields.List(fields.Nested(SettlementSchema))
