"""approvals, member closings and districts: held staff writes, closed accounts, clearing

Revision ID: 0011_approvals_districts
Revises: 0014_gatherings
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0011_approvals_districts"
down_revision = "0014_gatherings"
branch_labels = None
depends_on = None

# PostgreSQL: a closed account takes no new posting, whatever wrote it, and stays closed. The
# ledger refuses both first (``post_entry`` reads each account's status with the accounts it
# locks); these catch a writer that skipped it, or one that read the status before a closing
# committed (the trigger's query sees the closing once it has committed).
CLOSED_ACCOUNT_GUARDS = """
CREATE FUNCTION postings_refuse_closed_accounts() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM accounts WHERE id IN (NEW.from_account_id, NEW.to_account_id)
             AND status = 'closed') THEN
    RAISE EXCEPTION 'account is closed: posting % -> % refused',
      NEW.from_account_id, NEW.to_account_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER postings_refuse_closed_accounts BEFORE INSERT ON postings
  FOR EACH ROW EXECUTE FUNCTION postings_refuse_closed_accounts();
CREATE FUNCTION accounts_stay_closed() RETURNS trigger AS $$
BEGIN
  IF OLD.status = 'closed' AND NEW.status <> 'closed' THEN
    RAISE EXCEPTION 'account % is closed and stays closed', OLD.id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_stay_closed BEFORE UPDATE OF status ON accounts
  FOR EACH ROW EXECUTE FUNCTION accounts_stay_closed();
"""
CLOSED_ACCOUNT_GUARDS_TEARDOWN = """
DROP TRIGGER IF EXISTS accounts_stay_closed ON accounts;
DROP FUNCTION IF EXISTS accounts_stay_closed();
DROP TRIGGER IF EXISTS postings_refuse_closed_accounts ON postings;
DROP FUNCTION IF EXISTS postings_refuse_closed_accounts();
"""


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    op.create_table(
        "districts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("slug", name=op.f("uq_districts_slug")),
    )
    op.create_table(
        "approval_thresholds",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("max_amount", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "unit IN ('points', 'minutes')", name=op.f("ck_approval_thresholds_unit_known")
        ),
        sa.CheckConstraint(
            "max_amount > 0", name=op.f("ck_approval_thresholds_max_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_approval_thresholds_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", "unit", name=op.f("pk_approval_thresholds")),
    )
    op.create_table(
        "district_communities",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("district_id", sa.String(length=40), nullable=False),
        sa.Column("joined_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_district_communities_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_district_communities_district_id_districts"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_district_communities")),
    )
    with op.batch_alter_table("district_communities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_district_communities_district_id"), ["district_id"], unique=False
        )

    op.create_table(
        "clearing_accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("district_id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("counterparty_id", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "community_id <> counterparty_id", name=op.f("ck_clearing_accounts_two_communities")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_clearing_accounts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_clearing_accounts_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_id"],
            ["communities.id"],
            name=op.f("fk_clearing_accounts_counterparty_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_clearing_accounts_district_id_districts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearing_accounts")),
        sa.UniqueConstraint("account_id", name=op.f("uq_clearing_accounts_account_id")),
        sa.UniqueConstraint(
            "community_id",
            "counterparty_id",
            name=op.f("uq_clearing_accounts_community_id_counterparty_id"),
        ),
    )
    op.create_table(
        "district_moves",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("district_id", sa.String(length=40), nullable=False),
        sa.Column("from_community_id", sa.String(length=40), nullable=False),
        sa.Column("to_community_id", sa.String(length=40), nullable=False),
        sa.Column("from_member_id", sa.String(length=40), nullable=False),
        sa.Column("to_member_id", sa.String(length=40), nullable=False),
        sa.Column("minutes", sa.BigInteger(), nullable=False),
        sa.Column("from_entry_id", sa.String(length=40), nullable=False),
        sa.Column("to_entry_id", sa.String(length=40), nullable=False),
        sa.Column("memo", sa.String(length=500), server_default="", nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "from_community_id <> to_community_id", name=op.f("ck_district_moves_two_communities")
        ),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_district_moves_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["districts.id"], name=op.f("fk_district_moves_district_id_districts")
        ),
        sa.ForeignKeyConstraint(
            ["from_community_id"],
            ["communities.id"],
            name=op.f("fk_district_moves_from_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["from_entry_id"], ["entries.id"], name=op.f("fk_district_moves_from_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["from_member_id"],
            ["members.id"],
            name=op.f("fk_district_moves_from_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["to_community_id"],
            ["communities.id"],
            name=op.f("fk_district_moves_to_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["to_entry_id"], ["entries.id"], name=op.f("fk_district_moves_to_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["to_member_id"], ["members.id"], name=op.f("fk_district_moves_to_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_moves")),
        sa.UniqueConstraint("from_entry_id", name=op.f("uq_district_moves_from_entry_id")),
        sa.UniqueConstraint("to_entry_id", name=op.f("uq_district_moves_to_entry_id")),
    )
    with op.batch_alter_table("district_moves", schema=None) as batch_op:
        batch_op.create_index(
            "ix_district_moves_pair", ["from_community_id", "to_community_id", "id"], unique=False
        )

    op.create_table(
        "member_closings",
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("to_member_id", sa.String(length=40), nullable=True),
        sa.Column("to_love_bank", sa.Boolean(), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.Column("closed_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(to_member_id IS NULL) = to_love_bank", name=op.f("ck_member_closings_one_recipient")
        ),
        sa.CheckConstraint(
            "to_member_id IS NULL OR to_member_id <> member_id",
            name=op.f("ck_member_closings_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_member_closings_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_closings_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["to_member_id"], ["members.id"], name=op.f("fk_member_closings_to_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_closings")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_member_closings_entry_id")),
    )
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("held_because", sa.String(length=32), nullable=False),
        sa.Column("postings", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("memo", sa.String(length=500), server_default="", nullable=False),
        sa.Column("requested_by_key_id", sa.String(length=40), nullable=False),
        sa.Column("requested_by_person", sa.String(length=200), nullable=False),
        sa.Column("requested_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_key_id", sa.String(length=40), nullable=True),
        sa.Column("decided_by_person", sa.String(length=200), nullable=True),
        sa.Column("decided_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=500), nullable=True),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "(status = 'approved') = (entry_id IS NOT NULL)",
            name=op.f("ck_approval_requests_approved_has_entry"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL AND decided_by_key_id IS NULL)",
            name=op.f("ck_approval_requests_decided_says_who"),
        ),
        sa.CheckConstraint(
            "held_because IN ('above_threshold', 'own_account')",
            name=op.f("ck_approval_requests_hold_reason_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('adjustment', 'grant')", name=op.f("ck_approval_requests_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_approval_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_approval_requests_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_key_id"],
            ["api_keys.id"],
            name=op.f("fk_approval_requests_decided_by_key_id_api_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_approval_requests_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_key_id"],
            ["api_keys.id"],
            name=op.f("fk_approval_requests_requested_by_key_id_api_keys"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_approval_requests_entry_id")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_requests_community_status", ["community_id", "status", "id"], unique=False
        )
    if _on_postgresql():
        op.execute(CLOSED_ACCOUNT_GUARDS)


def downgrade():
    if _on_postgresql():
        op.execute(CLOSED_ACCOUNT_GUARDS_TEARDOWN)
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_approval_requests_community_status")

    op.drop_table("approval_requests")
    op.drop_table("member_closings")
    with op.batch_alter_table("district_moves", schema=None) as batch_op:
        batch_op.drop_index("ix_district_moves_pair")

    op.drop_table("district_moves")
    op.drop_table("clearing_accounts")
    with op.batch_alter_table("district_communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_district_communities_district_id"))

    op.drop_table("district_communities")
    op.drop_table("approval_thresholds")
    op.drop_table("districts")
