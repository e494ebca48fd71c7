"""earning: rule versions with their caps, and earn events

Revision ID: 0002_earning
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0002_earning"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "earning_rules",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("activity", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("per", sa.String(length=8), nullable=False),
        sa.Column("notice_days", sa.SmallInteger(), nullable=False),
        sa.Column("valid_from", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("valid_to", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint("per IN ('event', 'hour')", name=op.f("ck_earning_rules_per_known")),
        sa.CheckConstraint(
            "notice_days >= 0", name=op.f("ck_earning_rules_notice_days_not_negative")
        ),
        sa.CheckConstraint("points > 0", name=op.f("ck_earning_rules_points_positive")),
        sa.CheckConstraint(
            "valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to",
            name=op.f("ck_earning_rules_validity_window_ordered"),
        ),
        sa.CheckConstraint("version > 0", name=op.f("ck_earning_rules_version_positive")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_earning_rules_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earning_rules")),
        sa.UniqueConstraint(
            "community_id",
            "activity",
            "version",
            name=op.f("uq_earning_rules_community_id_activity_version"),
        ),
    )
    op.create_table(
        "earning_caps",
        sa.Column("rule_id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("max_points", sa.BigInteger(), nullable=True),
        sa.Column("max_count", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "period IN ('day', 'week', 'month', 'year')", name=op.f("ck_earning_caps_period_known")
        ),
        sa.CheckConstraint(
            "max_count IS NULL OR max_count > 0", name=op.f("ck_earning_caps_max_count_positive")
        ),
        sa.CheckConstraint(
            "max_points IS NOT NULL OR max_count IS NOT NULL",
            name=op.f("ck_earning_caps_names_a_limit"),
        ),
        sa.CheckConstraint(
            "max_points IS NULL OR max_points > 0", name=op.f("ck_earning_caps_max_points_positive")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["earning_rules.id"], name=op.f("fk_earning_caps_rule_id_earning_rules")
        ),
        sa.PrimaryKeyConstraint("rule_id", "period", name=op.f("pk_earning_caps")),
    )
    op.create_table(
        "earning_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("activity", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("rule_id", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("evidence", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("points_due", sa.BigInteger(), nullable=False),
        sa.Column("points_awarded", sa.BigInteger(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("vests_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("objection_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'refused') = (points_awarded = 0)",
            name=op.f("ck_earning_events_refused_iff_nothing_awarded"),
        ),
        sa.CheckConstraint(
            "status <> 'pending' OR vests_at IS NOT NULL",
            name=op.f("ck_earning_events_pending_vests"),
        ),
        sa.CheckConstraint(
            "status IN ('awarded', 'pending', 'refused', 'voided')",
            name=op.f("ck_earning_events_status_known"),
        ),
        sa.CheckConstraint(
            "points_awarded >= 0 AND points_awarded <= points_due",
            name=op.f("ck_earning_events_award_within_due"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_earning_events_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_earning_events_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_earning_events_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["earning_rules.id"], name=op.f("fk_earning_events_rule_id_earning_rules")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earning_events")),
        sa.UniqueConstraint("source", "source_id", name=op.f("uq_earning_events_source_source_id")),
    )
    with op.batch_alter_table("earning_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_earning_events_api_key_id"), ["api_key_id"], unique=False
        )
        batch_op.create_index("ix_earning_events_community", ["community_id", "id"], unique=False)
        batch_op.create_index(
            "ix_earning_events_member_activity",
            ["member_id", "activity", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_earning_events_status_vests_at", ["status", "vests_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("earning_events", schema=None) as batch_op:
        batch_op.drop_index("ix_earning_events_status_vests_at")
        batch_op.drop_index("ix_earning_events_member_activity")
        batch_op.drop_index("ix_earning_events_community")
        batch_op.drop_index(batch_op.f("ix_earning_events_api_key_id"))

    op.drop_table("earning_events")
    op.drop_table("earning_caps")
    op.drop_table("earning_rules")
