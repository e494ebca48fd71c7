"""journal_days: the community report's daily rollups

Revision ID: 0020_journal_days
Revises: 0019_fast_path_plans

A month's report grouped every posting of the month (a million in a busy community: over a
second). ``journal_days`` marks each local day of a community whose flows are summed, once the
day can no longer change, into ``journal_day_sums`` (``ledger/audit/rollups.py``, a job of
``pointsbank sweep``); a report adds up the rolled days inside its window and scans only the
rest. Both tables are facts like the journal's: on PostgreSQL the service role may insert rows
but not update or delete them.
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0020_journal_days"
down_revision = "0019_fast_path_plans"
branch_labels = None
depends_on = None

SERVICE_ROLE = "pointsbank_app"
ROLLUP_TABLES = ("journal_days", "journal_day_sums")


def upgrade():
    op.create_table(
        "journal_days",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rolled_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_journal_days_day_not_empty")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_journal_days_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", "starts_at", name=op.f("pk_journal_days")),
    )
    op.create_table(
        "journal_day_sums",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("starts_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("from_account_id", sa.String(length=40), nullable=False),
        sa.Column("to_account_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("activity", sa.Text(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_journal_day_sums_amount_positive")),
        sa.ForeignKeyConstraint(
            ["community_id", "starts_at"],
            ["journal_days.community_id", "journal_days.starts_at"],
            name="fk_journal_day_sums_day",
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"],
            ["accounts.id"],
            name=op.f("fk_journal_day_sums_from_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["to_account_id"],
            ["accounts.id"],
            name=op.f("fk_journal_day_sums_to_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_day_sums")),
    )
    op.create_index(
        "ix_journal_day_sums_day", "journal_day_sums", ["community_id", "starts_at"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(ROLLUP_TABLES)} FROM {SERVICE_ROLE}"
        )


def downgrade():
    op.drop_index("ix_journal_day_sums_day", table_name="journal_day_sums")
    op.drop_table("journal_day_sums")
    op.drop_table("journal_days")
