"""key lifecycle: an optional expiry and a coarse last-used time on API keys

Revision ID: 0006_key_lifecycle
Revises: 0005_audit
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0006_key_lifecycle"
down_revision = "0005_audit"
branch_labels = None
depends_on = None

NEW_COLUMNS = ("expires_at", "last_used_at")


def upgrade():
    # Both nullable, so existing keys keep working: no expiry, never used since the upgrade.
    with op.batch_alter_table("api_keys") as batch:
        for name in NEW_COLUMNS:
            batch.add_column(
                sa.Column(name, ledger.core.types.UTCDateTime(timezone=True), nullable=True)
            )


def downgrade():
    # SQLite drops a column by copying the table; the batch does that there.
    with op.batch_alter_table("api_keys") as batch:
        for name in reversed(NEW_COLUMNS):
            batch.drop_column(name)
