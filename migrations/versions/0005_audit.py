"""audit: the sealed journal, and the service role that may only append to the journal

Revision ID: 0005_audit
Revises: 0004_timebank
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0005_audit"
down_revision = "0004_timebank"
branch_labels = None
depends_on = None

SERVICE_ROLE = "pointsbank_app"
JOURNAL_TABLES = ("entries", "postings", "journal_seals")

# The role the service runs as (its login role is granted membership of it). Roles belong to
# the whole cluster: create it only if missing (another database may have made it already, even
# at this very moment) and never drop it.
SERVICE_ROLE_SETUP = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SERVICE_ROLE}') THEN
    CREATE ROLE {SERVICE_ROLE} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;
DO $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO {SERVICE_ROLE}', current_schema());
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO {SERVICE_ROLE}',
                 current_schema());
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {SERVICE_ROLE}',
                 current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {SERVICE_ROLE}', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                 'GRANT USAGE, SELECT ON SEQUENCES TO {SERVICE_ROLE}', current_schema());
END $$;
REVOKE UPDATE, DELETE, TRUNCATE ON {", ".join(JOURNAL_TABLES)} FROM {SERVICE_ROLE};
-- Resolving a pending entry is the one change the ledger makes to the journal.
GRANT UPDATE (status, posted_at) ON entries TO {SERVICE_ROLE};
"""

SERVICE_ROLE_TEARDOWN = f"""
DO $$
BEGIN
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                 'REVOKE ALL ON TABLES FROM {SERVICE_ROLE}', current_schema());
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I '
                 'REVOKE ALL ON SEQUENCES FROM {SERVICE_ROLE}', current_schema());
  EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {SERVICE_ROLE}', current_schema());
  EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {SERVICE_ROLE}', current_schema());
  EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM {SERVICE_ROLE}', current_schema());
END $$;
"""

# Seals never change; and no journal table may be emptied wholesale, whoever asks. (Maintenance
# that truly must bypass these runs with session_replication_role = replica, as a superuser.)
JOURNAL_SEAL_GUARDS = """
CREATE FUNCTION pointsbank_seals_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'journal seals are append-only (% refused)', TG_OP USING ERRCODE = 'raise_exception';
END $$;
CREATE TRIGGER journal_seals_append_only BEFORE UPDATE OR DELETE ON journal_seals
  FOR EACH ROW EXECUTE FUNCTION pointsbank_seals_immutable();

CREATE FUNCTION pointsbank_journal_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME
    USING ERRCODE = 'raise_exception';
END $$;
""" + "".join(
    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}\n"
    "  FOR EACH STATEMENT EXECUTE FUNCTION pointsbank_journal_no_truncate();\n"
    for table in JOURNAL_TABLES
)

JOURNAL_SEAL_GUARDS_DROP = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in JOURNAL_TABLES)
    + """
DROP TRIGGER IF EXISTS journal_seals_append_only ON journal_seals;
DROP FUNCTION IF EXISTS pointsbank_journal_no_truncate();
DROP FUNCTION IF EXISTS pointsbank_seals_immutable();
"""
)


def upgrade():
    op.create_table(
        "journal_heads",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_journal_heads_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_journal_heads")),
    )
    op.create_table(
        "journal_seals",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("record", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "record IN ('entry', 'resolution')", name=op.f("ck_journal_seals_record_known")
        ),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_journal_seals_seq_positive")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_journal_seals_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", "seq", name=op.f("pk_journal_seals")),
        sa.UniqueConstraint("entry_id", "status", name=op.f("uq_journal_seals_entry_id_status")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(JOURNAL_SEAL_GUARDS)
        op.execute(SERVICE_ROLE_SETUP)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(SERVICE_ROLE_TEARDOWN)
        op.execute(JOURNAL_SEAL_GUARDS_DROP)
    op.drop_table("journal_seals")
    op.drop_table("journal_heads")
