"""Tables of the gatherings capability: meetings and actions, their topics, who attended.

Invariants the database enforces, besides what ``ledger/gatherings/*.py`` checks in Python:
- a gathering ends after it starts, is a meeting or an action, and names its organizer (a member,
  or a staff name);
- a member attends a gathering once: (gathering, member) is the attendance's key, and her award
  is the earn event keyed by the same pair (``source_id``), so it can never be paid twice;
- a topic's decision, and feedback on it, come only with who carries it out;
- a community's privacy setting for published attendee lists is one of ``ATTENDEE_NAMES``.
Attendance rows are never changed or deleted: an award objected to stays an attendance whose
event is voided.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.core.models import NAME_MAX_LENGTH, Base, Community, IdColumn, Member, _in
from ledger.core.types import UTCDateTime
from ledger.earning.models import ACTIVITY_MAX_LENGTH

TITLE_MAX_LENGTH = NAME_MAX_LENGTH
PLACE_MAX_LENGTH = NAME_MAX_LENGTH
TEXT_MAX_LENGTH = 2000  # a topic, a decision or feedback on it: a paragraph, not a report
TICKED_BY_MAX_LENGTH = NAME_MAX_LENGTH

GATHERING_KINDS = ("meeting", "action")
SIGNIN_METHODS = ("scan", "roll_call")
# How a published notice names who attended: full names, surnames only, or only how many.
ATTENDEE_NAMES = ("full", "surname", "count")
DEFAULT_ATTENDEE_NAMES = "surname"


class GatheringSettings(Base):
    """A community's settings for its gatherings (no row: the defaults)."""

    __tablename__ = "gathering_settings"
    __table_args__ = (
        sa.CheckConstraint(_in("attendee_names", ATTENDEE_NAMES), name="attendee_names_known"),
    )

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    attendee_names: Mapped[str] = mapped_column(sa.String(8))
    updated_at = mapped_column(UTCDateTime, nullable=False)


class Gathering(Base):
    """A meeting or an action staff scheduled, whose attendees earn under one activity's rule."""

    __tablename__ = "gatherings"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", GATHERING_KINDS), name="kind_known"),
        sa.CheckConstraint("starts_at < ends_at", name="ends_after_start"),
        sa.CheckConstraint(
            "organizer_member_id IS NOT NULL OR organizer_name <> ''", name="organizer_named"
        ),
        sa.Index("ix_gatherings_community_starts_at", "community_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX_LENGTH))
    kind: Mapped[str] = mapped_column(sa.String(8))
    activity: Mapped[str] = mapped_column(sa.String(ACTIVITY_MAX_LENGTH))
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX_LENGTH))
    starts_at = mapped_column(UTCDateTime, nullable=False)
    ends_at = mapped_column(UTCDateTime, nullable=False)
    # The organizer: a member (who then cannot earn at her own gathering) or a staff name.
    organizer_member_id: Mapped[str | None] = mapped_column(sa.ForeignKey("members.id"))
    organizer_name: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    published_at = mapped_column(UTCDateTime)
    created_at = mapped_column(UTCDateTime, nullable=False)
    api_key_id: Mapped[str | None] = mapped_column(IdColumn)

    community: Mapped[Community] = relationship()
    organizer: Mapped[Member | None] = relationship()
    topics: Mapped[list["GatheringTopic"]] = relationship(
        order_by="GatheringTopic.position", lazy="selectin"
    )


class GatheringTopic(Base):
    """One topic of a gathering and, once decided, its decision (一事一议一决) and feedback."""

    __tablename__ = "gathering_topics"
    __table_args__ = (
        sa.UniqueConstraint("gathering_id", "position"),
        sa.CheckConstraint("position > 0", name="position_positive"),
        sa.CheckConstraint(
            "decision IS NULL OR carried_by IS NOT NULL", name="decision_has_carrier"
        ),
        sa.CheckConstraint("feedback IS NULL OR decision IS NOT NULL", name="feedback_on_decision"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    gathering_id: Mapped[str] = mapped_column(sa.ForeignKey("gatherings.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    title: Mapped[str] = mapped_column(sa.String(TEXT_MAX_LENGTH))
    decision: Mapped[str | None] = mapped_column(sa.String(TEXT_MAX_LENGTH))
    carried_by: Mapped[str | None] = mapped_column(sa.String(NAME_MAX_LENGTH))
    feedback: Mapped[str | None] = mapped_column(sa.String(TEXT_MAX_LENGTH))
    carried_out: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    feedback_at = mapped_column(UTCDateTime)


class GatheringAttendance(Base):
    """A member signed in at a gathering, by scanning or ticked off the roll call, and her award."""

    __tablename__ = "gathering_attendances"
    __table_args__ = (sa.CheckConstraint(_in("method", SIGNIN_METHODS), name="method_known"),)

    gathering_id: Mapped[str] = mapped_column(sa.ForeignKey("gatherings.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"), primary_key=True)
    method: Mapped[str] = mapped_column(sa.String(16))
    # Who ticked her off: the member herself (a scan), the organizer, or a staff key.
    ticked_by: Mapped[str] = mapped_column(sa.String(TICKED_BY_MAX_LENGTH))
    signed_in_at = mapped_column(UTCDateTime, nullable=False)
    event_id: Mapped[str] = mapped_column(sa.ForeignKey("earning_events.id"), unique=True)

    member: Mapped[Member] = relationship(lazy="joined", innerjoin=True)
