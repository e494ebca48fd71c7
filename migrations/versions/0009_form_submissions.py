"""form_submissions: one-time tokens of page forms, so a double click writes once

Revision ID: 0009_form_submissions
Revises: 0008_signin_tokens
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0009_form_submissions"
down_revision = "0008_signin_tokens"
branch_labels = None
depends_on = None

When = ledger.core.types.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submissions")),
    )
    op.create_index(
        op.f("ix_form_submissions_created_at"), "form_submissions", ["created_at"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_form_submissions_created_at"), table_name="form_submissions")
    op.drop_table("form_submissions")
