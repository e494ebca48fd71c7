"""report_indexes: planner statistics for the community report's one scan of a window

Revision ID: 0018_report_indexes
Revises: 0017_redeem_fast

``ledger/audit/reports.py`` reads a report window's flows in ONE grouped scan of its postings
(by accounts, entry kind, unit and the award's activity or the service's category). Without
statistics, PostgreSQL multiplies the distinct counts of those columns and guesses hundreds of
thousands of groups where a community has hundreds, so it sorts every posting of the window on
disk instead of hashing them. Two extended statistics (ndistinct; PostgreSQL 14 and later) give
it the real counts. They cost nothing when writing, unlike an index: ANALYZE maintains them.
The label expressions must be written exactly as SQLAlchemy renders ``WINDOW_ACTIVITY`` and
``WINDOW_CATEGORY`` of reports.py, or the planner will not match them. SQLite has no such
statistics and needs none (it has no parallel hashed plans to choose between).
"""

from alembic import op

revision = "0018_report_indexes"
down_revision = "0017_redeem_fast"
branch_labels = None
depends_on = None

STATISTICS = (
    "CREATE STATISTICS st_postings_flow (ndistinct) "
    "ON from_account_id, to_account_id, unit FROM postings",
    "CREATE STATISTICS st_entries_labels (ndistinct) ON kind, "
    "(CASE WHEN kind::text = 'award' THEN (metadata ->> 'activity')::varchar END), "
    "(CASE WHEN kind::text = 'service' THEN (metadata ->> 'category')::varchar END) FROM entries",
    "ANALYZE entries, postings",
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in STATISTICS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP STATISTICS IF EXISTS st_entries_labels")
    op.execute("DROP STATISTICS IF EXISTS st_postings_flow")
