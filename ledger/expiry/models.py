"""Tables of point expiry: each community's setting, the dated lots of members' points, and
which lots each spending entry drew on.

Invariants the database enforces, besides what ``ledger/expiry/lots.py`` checks in Python:
- a lot holds a positive number of points and has between 0 and that many left;
- a draw takes a positive number of points from one lot, and at most that many are restored;
- an expiry setting, when on, is between 1 and ``MAX_EXPIRY_MONTHS`` months.
While a community's points expire, the points left in an account's lots add up to its posted
balance less what is held (``pointsbank verify`` checks it): every change of lots happens after
the journal changed, and so locked, the account's balance row.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.core.models import Base, IdColumn
from ledger.core.types import BigId, UTCDateTime

MAX_EXPIRY_MONTHS = 120  # ten years: longer is the same as never for a community's points


class ExpirySettings(Base):
    """A community's points expire ``months`` after they were earned; NULL months: never."""

    __tablename__ = "expiry_settings"
    __table_args__ = (
        sa.CheckConstraint(
            f"months IS NULL OR months BETWEEN 1 AND {MAX_EXPIRY_MONTHS}", name="months_in_range"
        ),
    )

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    months: Mapped[int | None] = mapped_column(sa.SmallInteger)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class PointLot(Base):
    """Points that came into a member's account together, and when what is left of them expires.

    A lot starts when its points become spendable: when the entry posts (an award under public
    notice: when it vests). Spending draws on lots soonest-expiring first.
    """

    __tablename__ = "point_lots"
    __table_args__ = (
        sa.CheckConstraint("amount_points > 0", name="amount_positive"),
        sa.CheckConstraint(
            "remaining_points >= 0 AND remaining_points <= amount_points", name="remaining_in_range"
        ),
        # The order spending and the sweep take lots in: soonest to expire first.
        sa.Index("ix_point_lots_account_expiry", "account_id", "expires_at", "id"),
        sa.Index("ix_point_lots_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"))
    # The entry that brought the points in; NULL for a balance held when expiry was switched on.
    source_entry_id: Mapped[str | None] = mapped_column(sa.ForeignKey("entries.id"), index=True)
    earned_at = mapped_column(UTCDateTime, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    amount_points: Mapped[int] = mapped_column(sa.BigInteger)
    remaining_points: Mapped[int] = mapped_column(sa.BigInteger)


class LotDraw(Base):
    """Points an entry took from a lot; a reversal, refund or released hold puts them back."""

    __tablename__ = "lot_draws"
    __table_args__ = (
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.CheckConstraint(
            "restored_points >= 0 AND restored_points <= points", name="restored_in_range"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(IdColumn, sa.ForeignKey("entries.id"), index=True)
    lot_id: Mapped[int] = mapped_column(BigId, sa.ForeignKey("point_lots.id"), index=True)
    points: Mapped[int] = mapped_column(sa.BigInteger)
    restored_points: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")
