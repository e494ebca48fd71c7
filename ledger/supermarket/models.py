"""Tables of the redemption capability (see ``ledger/redemption.py``).

Invariants the database enforces, besides what ``ledger/`` checks in Python:
- an item's price is positive and its stock, when counted, never negative (NULL = unlimited);
- a redemption's refunded points never exceed its points; a line's refunded quantity never
  exceeds its quantity;
- a consent code's hash is stored, never the code; a member's PIN only as a slow salted hash;
- a redemption or refund belongs to at most one settlement (``settlement_id`` is set once).
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH, Base, IdColumn, _in
from ledger.core.types import UTCDateTime

SKU_MAX_LENGTH = 64
PIN_HASH_MAX_LENGTH = 255
REDEMPTION_STATUSES = ("held", "captured", "voided")
CONSENT_METHODS = ("code", "pin")
# Goods on a shelf, or a service (a haircut, a repair, 便民服务): a service keeps no stock.
ITEM_KINDS = ("goods", "service")


class Shop(Base):
    """A shop or points supermarket of one community; it owns one points account (kind "shop")."""

    __tablename__ = "shops"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), unique=True)
    created_at = mapped_column(UTCDateTime, nullable=False)


class ShopItem(Base):
    __tablename__ = "shop_items"
    __table_args__ = (
        sa.CheckConstraint("price_points > 0", name="price_positive"),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint(_in("kind", ITEM_KINDS), name="kind_known"),
        sa.CheckConstraint("kind <> 'service' OR stock IS NULL", name="service_has_no_stock"),
    )

    shop_id: Mapped[str] = mapped_column(sa.ForeignKey("shops.id"), primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(SKU_MAX_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    price_points: Mapped[int] = mapped_column(sa.BigInteger)
    # NULL: unlimited (seeds in bulk, a service); otherwise what is left on the shelf.
    stock: Mapped[int | None] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(16), default="goods", server_default="goods")
    active: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.true())
    created_at = mapped_column(UTCDateTime, nullable=False)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class RedemptionSettings(Base):
    """Per-community redemption settings set by staff: the money rate used by settlements."""

    __tablename__ = "redemption_settings"
    __table_args__ = (sa.CheckConstraint("fen_per_point >= 0", name="rate_not_negative"),)

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    fen_per_point: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class MemberConsent(Base):
    """One row per member: the PIN hash and the wrong-attempt counter, locked on every check."""

    __tablename__ = "member_consents"
    __table_args__ = (
        sa.CheckConstraint("failed_attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("locks_in_a_row >= 0", name="locks_not_negative"),
    )

    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"), primary_key=True)
    pin_hash: Mapped[str | None] = mapped_column(sa.String(PIN_HASH_MAX_LENGTH))
    failed_attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    # Locks since the last accepted code or PIN: each one lasts twice as long as the one before.
    locks_in_a_row: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    locked_until = mapped_column(UTCDateTime)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class ConsentCode(Base):
    __tablename__ = "consent_codes"
    __table_args__ = (sa.Index("ix_consent_codes_member_code", "member_id", "code_sha256"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"))
    code_sha256: Mapped[str] = mapped_column(sa.String(64))
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)


class Settlement(Base):
    __tablename__ = "settlements"
    __table_args__ = (
        sa.Index("ix_settlements_shop_id_id", "shop_id", "id"),
        sa.CheckConstraint("points = redeemed_points - refunded_points", name="points_net"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    shop_id: Mapped[str] = mapped_column(sa.ForeignKey("shops.id"))
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    # NULL when the covered redemptions and refunds cancel out: nothing moves.
    entry_id: Mapped[str | None] = mapped_column(sa.ForeignKey("entries.id"))
    redeemed_points: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_points: Mapped[int] = mapped_column(sa.BigInteger)
    points: Mapped[int] = mapped_column(sa.BigInteger)
    fen_per_point: Mapped[int] = mapped_column(sa.BigInteger)
    money_due_fen: Mapped[int] = mapped_column(sa.BigInteger)
    created_at = mapped_column(UTCDateTime, nullable=False)
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)


class Redemption(Base):
    __tablename__ = "redemptions"
    __table_args__ = (
        sa.CheckConstraint(_in("status", REDEMPTION_STATUSES), name="status_known"),
        sa.CheckConstraint(_in("consent_method", CONSENT_METHODS), name="consent_method_known"),
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.CheckConstraint(
            "refunded_points >= 0 AND refunded_points <= points", name="refunds_within_points"
        ),
        sa.Index("ix_redemptions_shop_id_id", "shop_id", "id"),
        sa.Index("ix_redemptions_member_status", "member_id", "status"),
        sa.Index("ix_redemptions_status_expires", "status", "hold_expires_at"),
        sa.Index("ix_redemptions_settlement_id", "settlement_id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    shop_id: Mapped[str] = mapped_column(sa.ForeignKey("shops.id"))
    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"))
    entry_id: Mapped[str] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16))
    points: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_points: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
    memo: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH), server_default="")
    consent_method: Mapped[str] = mapped_column(sa.String(8))
    hold_expires_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)
    captured_at = mapped_column(UTCDateTime)
    voided_at = mapped_column(UTCDateTime)
    # The settlement that paid the shop for this capture; NULL until settled.
    settlement_id: Mapped[str | None] = mapped_column(sa.ForeignKey("settlements.id"))
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)

    lines: Mapped[list["RedemptionLine"]] = relationship(
        order_by="RedemptionLine.line_no", lazy="selectin"
    )


class RedemptionLine(Base):
    """A line as sold: the price is copied here, so later price changes never rewrite it."""

    __tablename__ = "redemption_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("unit_price_points > 0", name="price_positive"),
        sa.CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity",
            name="refunds_within_quantity",
        ),
    )

    redemption_id: Mapped[str] = mapped_column(sa.ForeignKey("redemptions.id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(SKU_MAX_LENGTH))
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    unit_price_points: Mapped[int] = mapped_column(sa.BigInteger)
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    refunded_quantity: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")


class RedemptionRefund(Base):
    __tablename__ = "redemption_refunds"
    __table_args__ = (
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.Index("ix_redemption_refunds_redemption_id", "redemption_id"),
        sa.Index("ix_redemption_refunds_shop_settlement", "shop_id", "settlement_id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    redemption_id: Mapped[str] = mapped_column(sa.ForeignKey("redemptions.id"))
    shop_id: Mapped[str] = mapped_column(sa.ForeignKey("shops.id"))
    entry_id: Mapped[str] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
    points: Mapped[int] = mapped_column(sa.BigInteger)
    # [{"sku": ..., "quantity": ...}] for a refund by lines; empty for a refund by points.
    lines: Mapped[list] = mapped_column(sa.JSON)
    memo: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH), server_default="")
    created_at = mapped_column(UTCDateTime, nullable=False)
    settlement_id: Mapped[str | None] = mapped_column(sa.ForeignKey("settlements.id"))
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)
