"""audit: tables of the audit capability

Revision ID: 0005_audit
Revises: 0004_timebank
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import ledger.types  # noqa: F401

revision = "0005_audit"
down_revision = "0004_timebank"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
