"""signin_tokens: single-use sign-in tokens printed on residents' cards

Revision ID: 0008_signin_tokens
Revises: 0007_webhooks
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0008_signin_tokens"
down_revision = "0007_webhooks"
branch_labels = None
depends_on = None

When = ledger.core.types.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        "signin_tokens",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("used_at", When, nullable=True),
        sa.Column("revoked_at", When, nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_signin_tokens_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_signin_tokens_token_sha256")),
    )
    op.create_index(
        op.f("ix_signin_tokens_member_id"), "signin_tokens", ["member_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_signin_tokens_member_id"), table_name="signin_tokens")
    op.drop_table("signin_tokens")
