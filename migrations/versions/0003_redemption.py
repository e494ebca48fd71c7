"""redemption: tables of the redemption capability

Revision ID: 0003_redemption
Revises: 0002_earning
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import ledger.types  # noqa: F401

revision = "0003_redemption"
down_revision = "0002_earning"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
