"""The webhooks tables: the outbox of events, subscriptions and their deliveries.

Invariants:
- an outbox row is inserted in the same transaction as the change it tells of, and never
  updated; ``(xid, seq)`` orders events (keyset of the feed, order of delivery per resource);
- on PostgreSQL ``xid`` is the inserting transaction's id, so a reader serves only rows whose
  transaction is older than every one still running (see ``served`` in outbox.py): no row can
  later appear before one already served. SQLite has one writer at a time, so ``xid`` is 0
  there and ``seq`` alone is commit order;
- ``api_key_id`` is the key that posted an award's earn event (None for other events): an
  integrator reads the earn events it posted and nothing else, so that is its reach;
- an event holds the resource's type and id, not its body: the body is rendered when it is
  served, so a delivery shows the resource as ``GET`` shows it at that moment;
- a delivery row is unique per (subscription, event) and moves pending -> delivered|failed.
"""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import FunctionElement

from ledger.core.models import Base, IdColumn, _in
from ledger.core.types import BigId, UTCDateTime

EVENT_TYPE_MAX_LENGTH = 64
RESOURCE_TYPE_MAX_LENGTH = 32
URL_MAX_LENGTH = 2000
SECRET_MAX_LENGTH = 200
ERROR_MAX_LENGTH = 500
SUBSCRIPTION_STATES = ("active", "paused")
DELIVERY_STATUSES = ("pending", "delivered", "failed")
# Above every real transaction id: on SQLite every row is already final when it can be read.
SQLITE_HORIZON = 2**62


class CurrentXid(FunctionElement):
    """The inserting transaction's id (PostgreSQL's xid8, as a bigint); 0 on SQLite."""

    type = sa.BigInteger()
    inherit_cache = True


class XidHorizon(FunctionElement):
    """The oldest transaction id still running as the statement sees it: every transaction
    below it has committed or rolled back, so the rows it wrote are final."""

    type = sa.BigInteger()
    inherit_cache = True


@compiles(CurrentXid, "postgresql")
def _current_xid_postgresql(element, compiler, **kw):
    return "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)"


@compiles(CurrentXid)
def _current_xid_default(element, compiler, **kw):
    return "0"


@compiles(XidHorizon, "postgresql")
def _horizon_postgresql(element, compiler, **kw):
    return "CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT)"


@compiles(XidHorizon)
def _horizon_default(element, compiler, **kw):
    return str(SQLITE_HORIZON)


class WebhookEvent(Base):
    __tablename__ = "webhook_events"
    __table_args__ = (sa.Index("ix_webhook_events_position", "xid", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(IdColumn, unique=True)
    type: Mapped[str] = mapped_column(sa.String(EVENT_TYPE_MAX_LENGTH))
    community_id: Mapped[str] = mapped_column(IdColumn, sa.ForeignKey("communities.id"), index=True)
    resource_type: Mapped[str] = mapped_column(sa.String(RESOURCE_TYPE_MAX_LENGTH))
    resource_id: Mapped[str] = mapped_column(IdColumn)
    occurred_at = mapped_column(UTCDateTime, nullable=False)
    xid: Mapped[int] = mapped_column(sa.BigInteger, default=CurrentXid())
    api_key_id: Mapped[str | None] = mapped_column(IdColumn, nullable=True, index=True)


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
    # The position (xid, seq) of the last event fanned out into deliveries for it.
    cursor_xid: Mapped[int] = mapped_column(sa.BigInteger)
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
        sa.Index("ix_webhook_deliveries_resource", "subscription_id", "resource_key", "id"),
    )

    # Made in the feed's order per subscription (fan-out holds the subscription's row): the
    # order its deliveries of one resource go out in.
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
