"""webhooks: the outbox of events, subscriptions and their deliveries

Revision ID: 0007_webhooks
Revises: 0006_key_lifecycle
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0007_webhooks"
down_revision = "0006_key_lifecycle"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = ledger.core.types.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "webhook_events",
        sa.Column("seq", BigId, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", When, nullable=False),
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_webhook_events_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("id", name=op.f("uq_webhook_events_id")),
    )
    op.create_index(
        op.f("ix_webhook_events_community_id"), "webhook_events", ["community_id"], unique=False
    )
    op.create_index(
        op.f("ix_webhook_events_api_key_id"), "webhook_events", ["api_key_id"], unique=False
    )
    op.create_index("ix_webhook_events_position", "webhook_events", ["xid", "seq"], unique=False)
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret_sealed", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cursor_xid", sa.BigInteger(), nullable=False),
        sa.Column("cursor_seq", sa.BigInteger(), nullable=False),
        sa.Column("failing_since", When, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("paused_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.CheckConstraint(
            "state IN ('active', 'paused')", name=op.f("ck_webhook_subscriptions_state")
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_webhook_subscriptions_api_key_id_api_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_api_key_id"),
        "webhook_subscriptions",
        ["api_key_id"],
        unique=False,
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(length=40), nullable=False),
        sa.Column("event_seq", sa.BigInteger(), nullable=False),
        sa.Column("resource_key", sa.String(length=73), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", When, nullable=False),
        sa.Column("first_attempt_at", When, nullable=True),
        sa.Column("delivered_at", When, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["event_seq"],
            ["webhook_events.seq"],
            name=op.f("fk_webhook_deliveries_event_seq_webhook_events"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "subscription_id",
            "event_seq",
            name=op.f("uq_webhook_deliveries_subscription_id_event_seq"),
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["status", "next_attempt_at"],
        unique=False,
    )
    op.create_index(
        "ix_webhook_deliveries_resource",
        "webhook_deliveries",
        ["subscription_id", "resource_key", "id"],
        unique=False,
    )


def downgrade():
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")
    op.drop_index("ix_webhook_events_position", table_name="webhook_events")
    op.drop_index(op.f("ix_webhook_events_api_key_id"), table_name="webhook_events")
    op.drop_index(op.f("ix_webhook_events_community_id"), table_name="webhook_events")
    op.drop_table("webhook_events")
