"""statement_plans: a statement page planned once per connection, however long the account

Revision ID: 0021_statement_plans
Revises: 0020_journal_days

A statement page is an index range of the account's lines (``account_lines``, key order) with
each line's entry by key. As a prepared statement, PostgreSQL planned it afresh at every page of
an account holding a large share of the lines (0.15 ms of planning against 0.005 ms once the
plan is cached): the per-value statistics made the custom plan for such an account look cheaper
than the generic one, so the statement never switched to it, though both are the same plan.
``pointsbank_statement_page`` (PostgreSQL only; ``ledger/core/balances.py`` calls it there) runs
the page's query from plpgsql with ``plan_cache_mode = force_generic_plan``: planned at a
connection's first page and kept. Its bounds are written so that one plan serves every page: the
cursor and the window's ends are compared through COALESCE with infinities, all of them index
conditions, and ``enable_seqscan = off`` / ``enable_hashjoin = off`` keep the generic plan (which
cannot see the page's small LIMIT) on the index range and the entries' key.
"""

from alembic import op

revision = "0021_statement_plans"
down_revision = "0020_journal_days"
branch_labels = None
depends_on = None

STATEMENT_PAGE = """
CREATE FUNCTION pointsbank_statement_page(
    p_account text, p_after_at timestamptz, p_after_id text,
    p_from timestamptz, p_to timestamptz, p_limit integer)
RETURNS TABLE (entry_id varchar, kind varchar, memo varchar, occurred_at timestamptz,
               posted_at timestamptz, amount bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET enable_hashjoin = off
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT l.entry_id, e.kind, e.memo, e.occurred_at, l.posted_at, l.amount
      FROM account_lines l JOIN entries e ON e.id = l.entry_id
     WHERE l.account_id = p_account
       AND (l.posted_at, l.entry_id) > (COALESCE(p_after_at, '-infinity'), COALESCE(p_after_id, ''))
       AND l.posted_at >= COALESCE(p_from, '-infinity')
       AND l.posted_at < COALESCE(p_to, 'infinity')
     ORDER BY l.posted_at, l.entry_id
     LIMIT p_limit;
END $$;
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(STATEMENT_PAGE)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "DROP FUNCTION IF EXISTS pointsbank_statement_page"
        "(text, timestamptz, text, timestamptz, timestamptz, integer)"
    )
