"""Tables of the time bank (see ``ledger/timebank/services.py``): service requests, order to rating.

Invariants the database enforces, besides what ``ledger/timebank/services.py`` checks in Python:
- a service is in one known state and funded by one known funder (the requester or the love bank);
- nobody serves their own request (``volunteer_id <> requester_id``);
- once a volunteer is on it (assigned and after), it has a volunteer and a hold or service entry;
- from completion on it has the actual minutes; it carries a rating (1 to 5 stars) exactly when
  it is in state ``rated``, so a service is rated at most once;
- minutes are positive integers.
The state only ever moves along ``ledger.timebank.services.TRANSITIONS``; each step first locks the
service's row (``SELECT ... FOR UPDATE``) and checks the state there.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.core.models import MEMO_MAX_LENGTH, NAME_MAX_LENGTH, Base, Community, IdColumn, _in
from ledger.core.types import UTCDateTime

SERVICE_STATES = ("open", "assigned", "completed", "confirmed", "rated", "cancelled")
SERVICE_FUNDERS = ("requester", "love_bank")
SERVICE_ACTORS = ("requester", "staff")  # who confirmed, rated or cancelled
CATEGORY_MAX_LENGTH = 64
COMMENT_MAX_LENGTH = 500
MIN_STARS = 1
MAX_STARS = 5


class Service(Base):
    """A request for help (点单), and what became of it: dispatch, service, confirmation, rating."""

    __tablename__ = "services"
    __table_args__ = (
        sa.CheckConstraint(_in("state", SERVICE_STATES), name="state_known"),
        sa.CheckConstraint(_in("funded_by", SERVICE_FUNDERS), name="funder_known"),
        sa.CheckConstraint(
            f"confirmed_by IS NULL OR {_in('confirmed_by', SERVICE_ACTORS)}", name="confirmer_known"
        ),
        sa.CheckConstraint(
            f"cancelled_by IS NULL OR {_in('cancelled_by', SERVICE_ACTORS)}", name="canceller_known"
        ),
        sa.CheckConstraint(
            f"rated_by IS NULL OR {_in('rated_by', SERVICE_ACTORS)}", name="rater_known"
        ),
        sa.CheckConstraint("minutes_estimate > 0", name="estimate_positive"),
        sa.CheckConstraint("minutes_actual IS NULL OR minutes_actual > 0", name="actual_positive"),
        sa.CheckConstraint(
            "volunteer_id IS NULL OR volunteer_id <> requester_id", name="no_self_service"
        ),
        sa.CheckConstraint(
            "state IN ('open', 'cancelled') OR (volunteer_id IS NOT NULL AND entry_id IS NOT NULL)",
            name="served_has_volunteer",
        ),
        sa.CheckConstraint(
            "state NOT IN ('completed', 'confirmed', 'rated') OR minutes_actual IS NOT NULL",
            name="completed_has_minutes",
        ),
        sa.CheckConstraint(
            f"(state = 'rated' AND stars BETWEEN {MIN_STARS} AND {MAX_STARS})"
            " OR (state <> 'rated' AND stars IS NULL)",
            name="rated_once",
        ),
        # Open requests of a community, oldest first: what a volunteer can take.
        sa.Index("ix_services_community_state", "community_id", "state", "id"),
        sa.Index("ix_services_requester", "requester_id", "id"),
        sa.Index("ix_services_volunteer", "volunteer_id", "id"),
    )

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"))
    requester_id: Mapped[str] = mapped_column(sa.ForeignKey("members.id"))
    volunteer_id: Mapped[str | None] = mapped_column(sa.ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(sa.String(NAME_MAX_LENGTH))
    category: Mapped[str] = mapped_column(sa.String(CATEGORY_MAX_LENGTH))
    funded_by: Mapped[str] = mapped_column(sa.String(16))
    # The minutes account the service is paid from: the requester's, or the love bank's.
    funder_account_id: Mapped[str] = mapped_column(sa.ForeignKey("accounts.id"))
    minutes_estimate: Mapped[int] = mapped_column(sa.BigInteger)
    minutes_actual: Mapped[int | None] = mapped_column(sa.BigInteger)
    state: Mapped[str] = mapped_column(sa.String(16))
    # The hold on the funder while the service is under way; the same entry once posted.
    entry_id: Mapped[str | None] = mapped_column(sa.ForeignKey("entries.id"))
    stars: Mapped[int | None] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(COMMENT_MAX_LENGTH), server_default="")
    # One of SERVICE_ACTORS: who confirmed, rated (staff record a rating given them by a
    # resident who cannot use a phone) or cancelled.
    confirmed_by: Mapped[str | None] = mapped_column(sa.String(16))
    rated_by: Mapped[str | None] = mapped_column(sa.String(16))
    cancelled_by: Mapped[str | None] = mapped_column(sa.String(16))
    cancel_reason: Mapped[str] = mapped_column(sa.String(MEMO_MAX_LENGTH), server_default="")
    created_at = mapped_column(UTCDateTime, nullable=False)
    assigned_at = mapped_column(UTCDateTime)
    completed_at = mapped_column(UTCDateTime)
    confirmed_at = mapped_column(UTCDateTime)
    rated_at = mapped_column(UTCDateTime)
    cancelled_at = mapped_column(UTCDateTime)

    community: Mapped[Community] = relationship(viewonly=True)

    @property
    def rating(self) -> "Service | None":
        """Once rated, the service stands for its rating (stars, comment, rated_at, rated_by)."""
        return self if self.stars is not None else None


MAX_EXCHANGE_RATE = 100_000  # points or minutes in one step of a rate: far above any real rate
MAX_EXCHANGE_CAP_MINUTES = 100 * 60 * 31  # a month of minutes cannot exceed 100 hours a day


class ExchangeSettings(Base):
    """A community's exchange of points for time credits (兑换服务时长): ``rate_points`` points
    buy ``rate_minutes`` minutes, at most ``monthly_cap_minutes`` a member a calendar month (in
    the community's time zone). Off unless ``enabled``."""

    __tablename__ = "exchange_settings"
    __table_args__ = (
        sa.CheckConstraint(
            f"rate_points BETWEEN 1 AND {MAX_EXCHANGE_RATE}", name="rate_points_in_range"
        ),
        sa.CheckConstraint(
            f"rate_minutes BETWEEN 1 AND {MAX_EXCHANGE_RATE}", name="rate_minutes_in_range"
        ),
        sa.CheckConstraint(
            f"monthly_cap_minutes BETWEEN 0 AND {MAX_EXCHANGE_CAP_MINUTES}", name="cap_in_range"
        ),
    )

    community_id: Mapped[str] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    rate_points: Mapped[int] = mapped_column(sa.BigInteger)
    rate_minutes: Mapped[int] = mapped_column(sa.BigInteger)
    monthly_cap_minutes: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at = mapped_column(UTCDateTime, nullable=False)
