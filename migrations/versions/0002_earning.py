"""earning: tables of the earning capability

Revision ID: 0002_earning
Revises: 0001_foundation
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import ledger.types  # noqa: F401

revision = "0002_earning"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
