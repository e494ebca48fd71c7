"""account_lines: each account's statement lines, kept by the database in statement order

Revision ID: 0016_account_lines
Revises: 0015_fast_path

One row per (account, posted entry): the account's signed net share of the entry, keyed by
(account, posted_at, entry id), so that a statement page and its opening balance are index
ranges instead of a grouping of the account's whole history. Triggers write the rows, so every
writer is covered (the journal, the fast path's functions, raw SQL):
- postings inserted for an entry that is already posted get their lines at once;
- an entry becoming posted (a captured hold, a vested award) gets the lines of its postings;
- a pending entry that is voided never gets any.
Several postings of one entry touching one account add up into one line (an upsert).

PostgreSQL: statement-level triggers with transition tables, one INSERT per statement however
many rows it wrote; SECURITY DEFINER, so the service's role may read the lines but not write
them. SQLite: row-level triggers (it has no other kind). The upgrade backfills the lines of the
entries already posted.
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0016_account_lines"
down_revision = "0015_fast_path"
branch_labels = None
depends_on = None

SERVICE_ROLE = "pointsbank_app"

# Both sides of every posting of posted entries, summed per (account, entry). Reads postings
# and entries as the upgrade finds them; the triggers keep it true from then on.
BACKFILL = """
INSERT INTO account_lines (account_id, posted_at, entry_id, amount)
SELECT s.account_id, e.posted_at, e.id, SUM(s.amount)
FROM (SELECT entry_id, to_account_id AS account_id, amount FROM postings
      UNION ALL
      SELECT entry_id, from_account_id AS account_id, -amount AS amount FROM postings) AS s
JOIN entries e ON e.id = s.entry_id
WHERE e.status = 'posted'
GROUP BY s.account_id, e.posted_at, e.id
"""

PG_UPSERT = """
  ON CONFLICT (account_id, posted_at, entry_id)
  DO UPDATE SET amount = account_lines.amount + EXCLUDED.amount;
"""

PG_TRIGGERS = f"""
CREATE FUNCTION pointsbank_lines_of_new_postings() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO account_lines (account_id, posted_at, entry_id, amount)
  SELECT s.account_id, e.posted_at, e.id, sum(s.amount)
  FROM new_postings p
  JOIN entries e ON e.id = p.entry_id AND e.status = 'posted'
  CROSS JOIN LATERAL (VALUES (p.to_account_id, p.amount), (p.from_account_id, -p.amount))
    AS s(account_id, amount)
  GROUP BY s.account_id, e.posted_at, e.id
  {PG_UPSERT}
  RETURN NULL;
END $$;
CREATE TRIGGER postings_write_account_lines AFTER INSERT ON postings
  REFERENCING NEW TABLE AS new_postings
  FOR EACH STATEMENT EXECUTE FUNCTION pointsbank_lines_of_new_postings();

CREATE FUNCTION pointsbank_lines_of_posted_entries() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO account_lines (account_id, posted_at, entry_id, amount)
  SELECT s.account_id, n.posted_at, n.id, sum(s.amount)
  FROM new_entries n
  JOIN old_entries o ON o.id = n.id AND o.status <> 'posted'
  JOIN postings p ON p.entry_id = n.id
  CROSS JOIN LATERAL (VALUES (p.to_account_id, p.amount), (p.from_account_id, -p.amount))
    AS s(account_id, amount)
  WHERE n.status = 'posted'
  GROUP BY s.account_id, n.posted_at, n.id
  {PG_UPSERT}
  RETURN NULL;
END $$;
CREATE TRIGGER entries_write_account_lines AFTER UPDATE ON entries
  REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION pointsbank_lines_of_posted_entries();

REVOKE ALL ON account_lines FROM {SERVICE_ROLE};
GRANT SELECT ON account_lines TO {SERVICE_ROLE};
"""

PG_TRIGGERS_DROP = """
DROP TRIGGER IF EXISTS entries_write_account_lines ON entries;
DROP TRIGGER IF EXISTS postings_write_account_lines ON postings;
DROP FUNCTION IF EXISTS pointsbank_lines_of_posted_entries();
DROP FUNCTION IF EXISTS pointsbank_lines_of_new_postings();
"""

# "WHERE true" before ON CONFLICT: SQLite's documented way to keep an INSERT ... SELECT
# upsert unambiguous to its parser.
SQLITE_UPSERT = """
    ON CONFLICT (account_id, posted_at, entry_id) DO UPDATE SET amount = amount + excluded.amount
"""

SQLITE_TRIGGERS = (
    f"""
CREATE TRIGGER postings_write_account_lines AFTER INSERT ON postings
WHEN (SELECT status FROM entries WHERE id = NEW.entry_id) = 'posted'
BEGIN
  INSERT INTO account_lines (account_id, posted_at, entry_id, amount)
    SELECT NEW.to_account_id, posted_at, id, NEW.amount FROM entries WHERE id = NEW.entry_id
    {SQLITE_UPSERT};
  INSERT INTO account_lines (account_id, posted_at, entry_id, amount)
    SELECT NEW.from_account_id, posted_at, id, -NEW.amount FROM entries WHERE id = NEW.entry_id
    {SQLITE_UPSERT};
END
""",
    f"""
CREATE TRIGGER entries_write_account_lines AFTER UPDATE OF status ON entries
WHEN NEW.status = 'posted' AND OLD.status <> 'posted'
BEGIN
  INSERT INTO account_lines (account_id, posted_at, entry_id, amount)
    SELECT account_id, NEW.posted_at, NEW.id, SUM(amount)
    FROM (SELECT to_account_id AS account_id, amount FROM postings WHERE entry_id = NEW.id
          UNION ALL
          SELECT from_account_id, -amount FROM postings WHERE entry_id = NEW.id)
    WHERE true
    GROUP BY account_id
    {SQLITE_UPSERT};
END
""",
)

SQLITE_TRIGGERS_DROP = (
    "DROP TRIGGER IF EXISTS entries_write_account_lines",
    "DROP TRIGGER IF EXISTS postings_write_account_lines",
)


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    op.create_table(
        "account_lines",
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("posted_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "account_id",
            "posted_at",
            "entry_id",
            name=op.f("pk_account_lines"),
            postgresql_include=["amount"],
        ),
        sqlite_with_rowid=False,
    )
    # Triggers first: creating them locks out writers to postings and entries until this
    # transaction commits, so the backfill's snapshot misses no posting and none is counted twice.
    if _on_postgresql():
        op.execute(PG_TRIGGERS)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.execute(BACKFILL)


def downgrade():
    if _on_postgresql():
        op.execute(PG_TRIGGERS_DROP)
    else:
        for statement in SQLITE_TRIGGERS_DROP:
            op.execute(statement)
    op.drop_table("account_lines")
