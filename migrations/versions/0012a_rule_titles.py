"""earning_rules.title: the name residents read for an activity ("星空夜话" for its code)

Revision ID: 0012a_rule_titles
Revises: 0010_exchange_expiry
"""

import sqlalchemy as sa
from alembic import op

revision = "0012a_rule_titles"
down_revision = "0010_exchange_expiry"
branch_labels = None
depends_on = None


def upgrade():
    # Existing versions get the empty title: pages keep naming them by their activity code.
    with op.batch_alter_table("earning_rules") as batch:
        batch.add_column(
            sa.Column("title", sa.String(length=100), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("earning_rules") as batch:
        batch.drop_column("title")
