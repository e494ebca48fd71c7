"""timebank: service requests from order to rating

Revision ID: 0004_timebank
Revises: 0003_redemption
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0004_timebank"
down_revision = "0003_redemption"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "services",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("requester_id", sa.String(length=40), nullable=False),
        sa.Column("volunteer_id", sa.String(length=40), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("funded_by", sa.String(length=16), nullable=False),
        sa.Column("funder_account_id", sa.String(length=40), nullable=False),
        sa.Column("minutes_estimate", sa.BigInteger(), nullable=False),
        sa.Column("minutes_actual", sa.BigInteger(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("stars", sa.SmallInteger(), nullable=True),
        sa.Column("comment", sa.String(length=500), server_default="", nullable=False),
        sa.Column("confirmed_by", sa.String(length=16), nullable=True),
        sa.Column("rated_by", sa.String(length=16), nullable=True),
        sa.Column("cancelled_by", sa.String(length=16), nullable=True),
        sa.Column("cancel_reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rated_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'rated' AND stars BETWEEN 1 AND 5) OR (state <> 'rated' AND stars IS NULL)",
            name=op.f("ck_services_rated_once"),
        ),
        sa.CheckConstraint(
            "cancelled_by IS NULL OR cancelled_by IN ('requester', 'staff')",
            name=op.f("ck_services_canceller_known"),
        ),
        sa.CheckConstraint(
            "confirmed_by IS NULL OR confirmed_by IN ('requester', 'staff')",
            name=op.f("ck_services_confirmer_known"),
        ),
        sa.CheckConstraint(
            "rated_by IS NULL OR rated_by IN ('requester', 'staff')",
            name=op.f("ck_services_rater_known"),
        ),
        sa.CheckConstraint(
            "funded_by IN ('requester', 'love_bank')", name=op.f("ck_services_funder_known")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'assigned', 'completed', 'confirmed', 'rated', 'cancelled')",
            name=op.f("ck_services_state_known"),
        ),
        sa.CheckConstraint(
            "state IN ('open', 'cancelled') OR (volunteer_id IS NOT NULL AND entry_id IS NOT NULL)",
            name=op.f("ck_services_served_has_volunteer"),
        ),
        sa.CheckConstraint(
            "state NOT IN ('completed', 'confirmed', 'rated') OR minutes_actual IS NOT NULL",
            name=op.f("ck_services_completed_has_minutes"),
        ),
        sa.CheckConstraint(
            "minutes_actual IS NULL OR minutes_actual > 0", name=op.f("ck_services_actual_positive")
        ),
        sa.CheckConstraint("minutes_estimate > 0", name=op.f("ck_services_estimate_positive")),
        sa.CheckConstraint(
            "volunteer_id IS NULL OR volunteer_id <> requester_id",
            name=op.f("ck_services_no_self_service"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_services_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_services_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["funder_account_id"],
            ["accounts.id"],
            name=op.f("fk_services_funder_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["members.id"], name=op.f("fk_services_requester_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["volunteer_id"], ["members.id"], name=op.f("fk_services_volunteer_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_services_community_state", ["community_id", "state", "id"], unique=False
        )
        batch_op.create_index("ix_services_requester", ["requester_id", "id"], unique=False)
        batch_op.create_index("ix_services_volunteer", ["volunteer_id", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index("ix_services_volunteer")
        batch_op.drop_index("ix_services_requester")
        batch_op.drop_index("ix_services_community_state")

    op.drop_table("services")
