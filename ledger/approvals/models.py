"""Tables of two-person approval (see ``ledger/approvals/requests.py``).

A held request is not a journal entry: it moves no balance and is never sealed. Only its
approval writes an entry, through ``post_entry``, and the request then points at it.

Invariants the database enforces, besides what ``ledger/approvals`` checks in Python:
- a request is of a known kind and in a known status, held for a known reason;
- an approved request names the entry its approval posted (at most one request per entry), and
  a decided one (approved or rejected) says by which key and when; a pending one says neither;
- a threshold is a positive integer per community and unit.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH, UNITS, Base, IdColumn, _in
from ledger.core.types import UTCDateTime

APPROVAL_KINDS = ("adjustment", "grant")
APPROVAL_STATUSES = ("pending", "approved", "rejected")
# Why a request waits: its amount is above the community's threshold, or it credits an account
# of the member the requesting staff key belongs to.
HOLD_REASONS = ("above_threshold", "own_account")


class ApprovalThreshold(Base):
    """The largest amount of a unit a staff adjustment or grant may move without a second key."""

    __tablename__ = "approval_thresholds"
    __table_args__ = (
        sa.CheckConstraint(_in("unit", UNITS), name="unit_known"),
        sa.CheckConstraint("max_amount > 0", name="max_amount_positive"),
    )

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    max_amount: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at = mapped_column(UTCDateTime, nullable=False)


class ApprovalRequest(Base):
    """A staff adjustment or love-bank grant waiting for a second person's key."""

    __tablename__ = "approval_requests"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", APPROVAL_KINDS), name="kind_known"),
        sa.CheckConstraint(_in("status", APPROVAL_STATUSES), name="status_known"),
        sa.CheckConstraint(_in("held_because", HOLD_REASONS), name="hold_reason_known"),
        sa.CheckConstraint(
            "(status = 'approved') = (entry_id IS NOT NULL)", name="approved_has_entry"
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL AND decided_by_key_id IS NULL)",
            name="decided_says_who",
        ),
        sa.Index("ix_approval_requests_community_status", "community_id", "status", "id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    held_because: Mapped[str] = mapped_column(sa.String(32))
    # The request as it will be posted: [{"from", "to", "unit", "amount"}], reason and memo.
    postings: Mapped[list] = mapped_column(sa.JSON)
    reason: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH))
    memo: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH), server_default="")
    requested_by_key_id: Mapped[str] = mapped_column(sa.ForeignKey("api_keys.id"))
    # The person behind each key at the time (see ``rules.person_of``), kept for the record.
    requested_by_person: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    requested_at = mapped_column(UTCDateTime, nullable=False)
    decided_by_key_id: Mapped[str | None] = mapped_column(sa.ForeignKey("api_keys.id"))
    decided_by_person: Mapped[str | None] = mapped_column(sa.String(NAME_MAX_LENGTH))
    decided_at = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.String(MEMO_MAX_LENGTH))
    entry_id: Mapped[str | None] = mapped_column(sa.ForeignKey("entries.id"), unique=True)
