"""Tables of members who leave (closings) and move (districts, clearing accounts, moves).

Invariants the database enforces, besides what ``ledger/membership`` checks in Python:
- a member is closed at most once, and her remainder went to one named member or the love bank;
- a community belongs to at most one district;
- each ordered pair of communities of a district has one clearing account, in the first
  community, for the second (so the two accounts of a pair are each other's counterparts);
- a move carries a positive number of minutes between two different communities, and writes
  exactly two entries, one in each (each entry in at most one move).
The accounts a closing closes refuse new postings in ``post_entry`` and, on PostgreSQL, in a
trigger on ``postings`` (see the migration ``0011_approvals_districts``).
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.core.models import (
    MEMO_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    Base,
    IdColumn,
)
from ledger.core.types import UTCDateTime


class MemberClosing(Base):
    """A member's closing: where her remainder went, by which entry, and why."""

    __tablename__ = "member_closings"
    __table_args__ = (
        sa.CheckConstraint("(to_member_id IS NULL) = to_love_bank", name="one_recipient"),
        sa.CheckConstraint("to_member_id IS NULL OR to_member_id <> member_id", name="not_self"),
    )

    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"), primary_key=True)
    to_member_id: Mapped[str | None] = mapped_column(sa.ForeignKey("members.id"))
    to_love_bank: Mapped[bool] = mapped_column(sa.Boolean)
    # None when she had nothing left to pass on: then closing moved nothing.
    entry_id: Mapped[str | None] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH))
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)
    closed_at = mapped_column(UTCDateTime, nullable=False)


class District(Base):
    """Communities that honour each other's time credits (通存通兑)."""

    __tablename__ = "districts"

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    created_at = mapped_column(UTCDateTime, nullable=False)


class DistrictCommunity(Base):
    __tablename__ = "district_communities"

    # The primary key: a community is in one district at most.
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    district_id: Mapped[str] = mapped_column(sa.ForeignKey("districts.id"), index=True)
    joined_at = mapped_column(UTCDateTime, nullable=False)


class ClearingAccount(Base):
    """Community ``community_id``'s minutes account for what it owes ``counterparty_id``.

    The journal account is owned by this row (``accounts.owner_id``, kind ``clearing``): a move out
    of the community credits it, a move in debits it, so a positive balance is minutes the
    community owes its counterparty, and the two accounts of a pair always sum to zero.
    """

    __tablename__ = "clearing_accounts"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "counterparty_id"),
        sa.CheckConstraint("community_id <> counterparty_id", name="two_communities"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    district_id: Mapped[str] = mapped_column(sa.ForeignKey("districts.id"))
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    counterparty_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"), unique=True)


class DistrictMove(Base):
    """A resident's minutes moved from one community of a district to another, as two entries."""

    __tablename__ = "district_moves"
    __table_args__ = (
        sa.CheckConstraint("minutes > 0", name="minutes_positive"),
        sa.CheckConstraint("from_community_id <> to_community_id", name="two_communities"),
        sa.Index("ix_district_moves_pair", "from_community_id", "to_community_id", "id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    district_id: Mapped[str] = mapped_column(sa.ForeignKey("districts.id"))
    from_community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    to_community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    from_member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"))
    to_member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"))
    minutes: Mapped[int] = mapped_column(sa.BigInteger)
    from_entry_id: Mapped[str] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
    to_entry_id: Mapped[str] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
    memo: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH), server_default="")
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)
    created_at = mapped_column(UTCDateTime, nullable=False)
