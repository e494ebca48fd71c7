"""timebank: tables of the timebank capability

Revision ID: 0004_timebank
Revises: 0003_redemption
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import ledger.types  # noqa: F401

revision = "0004_timebank"
down_revision = "0003_redemption"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
