"""Tables of the earning capability: rule versions, their caps, and earn events.

Invariants the database enforces, besides what ``ledger/earning*.py`` checks in Python:
- a rule's versions are numbered 1, 2, ... per (community, activity) without repeats;
- a cap belongs to one rule version, names one period once, and limits points, count or both;
- one event per (source, source_id): a replayed event can never be judged, or awarded, twice;
- an event never awards more than its rule made due, and a pending one knows when it vests.
Rule versions are never changed once written; an event is written in the status its judgement
gives and afterwards moves only along ``EVENT_TRANSITIONS``.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.core.models import NAME_MAX_LENGTH, SLUG_MAX_LENGTH, Base, IdColumn, _in
from ledger.core.types import UTCDateTime

ACTIVITY_MAX_LENGTH = SLUG_MAX_LENGTH
SOURCE_MAX_LENGTH = 64
SOURCE_ID_MAX_LENGTH = NAME_MAX_LENGTH
EVIDENCE_MAX_LENGTH = 1000
OBJECTION_MAX_LENGTH = 500
# A rule's display title ("星空夜话"): what a resident reads instead of the activity code.
RULE_TITLE_MAX_LENGTH = 100

RULE_PERS = ("event", "hour")
CAP_PERIODS = ("day", "week", "month", "year")
EVENT_STATUSES = ("awarded", "pending", "refused", "voided")

# step -> (statuses it may start from, status it leads to). The first three write the event:
# its judgement awards points at once, under public notice, or none at all.
EVENT_TRANSITIONS = {
    "award": ((), "awarded"),
    "notice": ((), "pending"),
    "refuse": ((), "refused"),
    "vest": (("pending",), "awarded"),  # the notice period ended with no objection
    "object": (("pending",), "voided"),  # staff objected during the notice period
    "reverse": (("awarded",), "voided"),  # the award's entry was reversed
}
assert {target for _, target in EVENT_TRANSITIONS.values()} == set(EVENT_STATUSES)


class EarningRule(Base):
    """One version of the rule for an activity in a community; a change is a new row."""

    __tablename__ = "earning_rules"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "activity", "version"),
        sa.CheckConstraint("points > 0", name="points_positive"),
        sa.CheckConstraint(_in("per", RULE_PERS), name="per_known"),
        sa.CheckConstraint("notice_days >= 0", name="notice_days_not_negative"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to",
            name="validity_window_ordered",
        ),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    activity: Mapped[str] = mapped_column(sa.String(ACTIVITY_MAX_LENGTH))
    # Empty when the community gave none: pages then name the activity by its code.
    title: Mapped[str] = mapped_column(sa.String(RULE_TITLE_MAX_LENGTH), server_default="")
    version: Mapped[int] = mapped_column(sa.Integer)
    points: Mapped[int] = mapped_column(sa.BigInteger)
    per: Mapped[str] = mapped_column(sa.String(8))
    notice_days: Mapped[int] = mapped_column(sa.SmallInteger)
    valid_from = mapped_column(UTCDateTime)
    valid_to = mapped_column(UTCDateTime)
    # When this version was set: it is in force for events that occur from then on.
    created_at = mapped_column(UTCDateTime, nullable=False)
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)

    caps: Mapped[list["EarningCap"]] = relationship(order_by="EarningCap.period", lazy="selectin")


class EarningCap(Base):
    """A limit per member per period on what one rule version awards: points, count or both."""

    __tablename__ = "earning_caps"
    __table_args__ = (
        sa.CheckConstraint(_in("period", CAP_PERIODS), name="period_known"),
        sa.CheckConstraint("max_points IS NOT NULL OR max_count IS NOT NULL", name="names_a_limit"),
        sa.CheckConstraint("max_points IS NULL OR max_points > 0", name="max_points_positive"),
        sa.CheckConstraint("max_count IS NULL OR max_count > 0", name="max_count_positive"),
    )

    rule_id: Mapped[str] = mapped_column(sa.ForeignKey("earning_rules.id"), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    max_points: Mapped[int | None] = mapped_column(sa.BigInteger)
    max_count: Mapped[int | None] = mapped_column(sa.Integer)


class EarningEvent(Base):
    """Something a member did, reported by a source, and the award the rules gave for it."""

    __tablename__ = "earning_events"
    __table_args__ = (
        sa.UniqueConstraint("source", "source_id"),
        sa.CheckConstraint(_in("status", EVENT_STATUSES), name="status_known"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "points_awarded >= 0 AND points_awarded <= points_due", name="award_within_due"
        ),
        sa.CheckConstraint(
            "(status = 'refused') = (points_awarded = 0)", name="refused_iff_nothing_awarded"
        ),
        sa.CheckConstraint("status <> 'pending' OR vests_at IS NOT NULL", name="pending_vests"),
        # What the cap sums read: one member's events of one activity over a period.
        sa.Index("ix_earning_events_member_activity", "member_id", "activity", "occurred_at"),
        # What the sweep reads: pending awards by the time they vest.
        sa.Index("ix_earning_events_status_vests_at", "status", "vests_at"),
        sa.Index("ix_earning_events_community", "community_id", "id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    activity: Mapped[str] = mapped_column(sa.String(ACTIVITY_MAX_LENGTH))
    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"))
    rule_id: Mapped[str] = mapped_column(sa.ForeignKey("earning_rules.id"))
    occurred_at = mapped_column(UTCDateTime, nullable=False)
    # Minutes for a per-hour rule, 1 for a per-event rule.
    quantity: Mapped[int] = mapped_column(sa.BigInteger)
    # Who owns source_id: the posting API key's id, or "paper:<community id>" for sheets.
    source: Mapped[str] = mapped_column(sa.String(SOURCE_MAX_LENGTH))
    source_id: Mapped[str] = mapped_column(sa.String(SOURCE_ID_MAX_LENGTH))
    api_key_id: Mapped[str | None] = mapped_column(IdColumn, index=True)
    recorded_by: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    evidence: Mapped[str] = mapped_column(sa.String(EVIDENCE_MAX_LENGTH), server_default="")
    status: Mapped[str] = mapped_column(sa.String(16))
    points_due: Mapped[int] = mapped_column(sa.BigInteger)
    points_awarded: Mapped[int] = mapped_column(sa.BigInteger)
    # Why: the outcome, the cap that limited it and every cap's standing after it.
    decision: Mapped[dict] = mapped_column(sa.JSON)
    vests_at = mapped_column(UTCDateTime)
    resolved_at = mapped_column(UTCDateTime)
    objection_reason: Mapped[str | None] = mapped_column(sa.String(OBJECTION_MAX_LENGTH))
    created_at = mapped_column(UTCDateTime, nullable=False)

    rule: Mapped[EarningRule] = relationship(lazy="joined", innerjoin=True)


@dataclass(slots=True)
class EventRow:
    """A new event as it was written: its row's columns as a plain record.

    The write paths answer with this rather than a transient ``EarningEvent`` copy, which costs
    about 19 microseconds to make against 1 (a batch makes a hundred); an event read back from
    the database is an ``EarningEvent``, and either answers the same.
    """

    id: str
    community_id: str
    activity: str
    member_id: str
    rule_id: str
    occurred_at: datetime
    quantity: int
    source: str
    source_id: str
    api_key_id: str | None
    recorded_by: str
    evidence: str
    status: str
    points_due: int
    points_awarded: int
    decision: dict
    vests_at: datetime | None
    resolved_at: datetime | None
    objection_reason: str | None
    created_at: datetime


# What an answer about an event holds: the event read back, or the one just written.
AnyEvent = EarningEvent | EventRow
