"""The webhooks tables: the outbox of events, subscriptions and their deliveries.

Invariants:
- an outbox row is inserted in the same transaction as the change it tells of, and never
  updated; ``seq`` orders events (keyset of the feed, order of delivery per resource);
- an event holds the resource's type and id, not its body: the body is rendered when it is
  served, so a delivery shows the resource as ``GET`` shows it at that moment;
- a delivery row is unique per (subscription, event) and moves pending -> delivered|failed.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ledger.core.models import Base, IdColumn, _in
from ledger.core.types import BigId, UTCDateTime

EVENT_TYPE_MAX_LENGTH = 64
RESOURCE_TYPE_MAX_LENGTH = 32
URL_MAX_LENGTH = 2000
SECRET_MAX_LENGTH = 200
ERROR_MAX_LENGTH = 500
SUBSCRIPTION_STATES = ("active", "paused")
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookEvent(Base):
    __tablename__ = "webhook_events"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(IdColumn, unique=True)
    type: Mapped[str] = mapped_column(sa.String(EVENT_TYPE_MAX_LENGTH))
    community_id: Mapped[str] = mapped_column(IdColumn, sa.ForeignKey("communities.id"), index=True)
    resource_type: Mapped[str] = mapped_column(sa.String(RESOURCE_TYPE_MAX_LENGTH))
    resource_id: Mapped[str] = mapped_column(IdColumn)
    occurred_at = mapped_column(UTCDateTime, nullable=False)


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.CheckConstraint(_in("state", SUBSCRIPTION_STATES), name="state"),)

    id: Mapped[str] = mapped_column(IdColumn, primary_key=True)
    api_key_id: Mapped[str] = mapped_column(IdColumn, sa.ForeignKey("api_keys.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(URL_MAX_LENGTH))
    event_types = mapped_column(sa.JSON, nullable=False)
    # Kept obfuscated with the server's SECRET_KEY (see signing.py): signing needs it back.
    secret_sealed: Mapped[str] = mapped_column(sa.String(SECRET_MAX_LENGTH))
    state: Mapped[str] = mapped_column(sa.String(16))
    # The last event fanned out into deliveries for this subscription.
    cursor_seq: Mapped[int] = mapped_column(sa.BigInteger)
    failing_since = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(ERROR_MAX_LENGTH), nullable=True)
    paused_reason: Mapped[str | None] = mapped_column(sa.String(ERROR_MAX_LENGTH), nullable=True)
    created_at = mapped_column(UTCDateTime, nullable=False)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_seq"),
        sa.CheckConstraint(_in("status", DELIVERY_STATUSES), name="status"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_resource", "subscription_id", "resource_key", "event_seq"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(
        IdColumn, sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event_seq: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("webhook_events.seq"))
    # "<resource type>:<resource id>": deliveries of one resource go out in event order.
    resource_key: Mapped[str] = mapped_column(sa.String(RESOURCE_TYPE_MAX_LENGTH + 41))
    status: Mapped[str] = mapped_column(sa.String(16))
    attempts: Mapped[int] = mapped_column(sa.Integer)
    next_attempt_at = mapped_column(UTCDateTime, nullable=False)
    first_attempt_at = mapped_column(UTCDateTime, nullable=True)
    delivered_at = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.String(ERROR_MAX_LENGTH), nullable=True)
