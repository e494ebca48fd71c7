"""exchange_expiry: points for time credits, points that expire into the love bank, services
in the catalogue

Revision ID: 0010_exchange_expiry
Revises: 0009_form_submissions
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0010_exchange_expiry"
down_revision = "0009_form_submissions"
branch_labels = None
depends_on = None

When = ledger.core.types.UTCDateTime(timezone=True)
BigId = ledger.core.types.BigId

KINDS_BEFORE = (
    "award",
    "redemption",
    "refund",
    "transfer",
    "donation",
    "grant",
    "service",
    "settlement",
    "reversal",
    "adjustment",
)
KINDS_AFTER = (*KINDS_BEFORE, "exchange", "expiry")

# On PostgreSQL a lot's identity and size, and a draw's size, never change: only what is left
# of a lot and what of a draw was put back move, and only within their CHECKs.
LOT_GUARDS = """
CREATE FUNCTION pointsbank_lot_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.account_id <> OLD.account_id OR NEW.amount_points <> OLD.amount_points
     OR NEW.earned_at <> OLD.earned_at OR NEW.expires_at <> OLD.expires_at
     OR NEW.source_entry_id IS DISTINCT FROM OLD.source_entry_id THEN
    RAISE EXCEPTION 'a point lot changes only in what is left of it';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER point_lots_fixed BEFORE UPDATE ON point_lots
  FOR EACH ROW EXECUTE FUNCTION pointsbank_lot_fixed();
CREATE FUNCTION pointsbank_draw_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.entry_id <> OLD.entry_id OR NEW.lot_id <> OLD.lot_id OR NEW.points <> OLD.points
     OR NEW.restored_points < OLD.restored_points THEN
    RAISE EXCEPTION 'a lot draw changes only by putting more of it back';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER lot_draws_fixed BEFORE UPDATE ON lot_draws
  FOR EACH ROW EXECUTE FUNCTION pointsbank_draw_fixed();
"""
LOT_GUARDS_DROP = """
DROP TRIGGER IF EXISTS lot_draws_fixed ON lot_draws;
DROP FUNCTION IF EXISTS pointsbank_draw_fixed();
DROP TRIGGER IF EXISTS point_lots_fixed ON point_lots;
DROP FUNCTION IF EXISTS pointsbank_lot_fixed();
"""


def _kinds(kinds) -> str:
    return f"kind IN ({', '.join(repr(k) for k in kinds)})"


def upgrade():
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_entries_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_entries_kind_known"), _kinds(KINDS_AFTER))
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("keeps_lots", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("points_in_lots", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("shop_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), server_default="goods", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_shop_items_kind_known"), "kind IN ('goods', 'service')"
        )
        batch_op.create_check_constraint(
            op.f("ck_shop_items_service_has_no_stock"), "kind <> 'service' OR stock IS NULL"
        )
    op.create_table(
        "exchange_settings",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("rate_points", sa.BigInteger(), nullable=False),
        sa.Column("rate_minutes", sa.BigInteger(), nullable=False),
        sa.Column("monthly_cap_minutes", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.CheckConstraint(
            "monthly_cap_minutes BETWEEN 0 AND 186000",
            name=op.f("ck_exchange_settings_cap_in_range"),
        ),
        sa.CheckConstraint(
            "rate_minutes BETWEEN 1 AND 100000",
            name=op.f("ck_exchange_settings_rate_minutes_in_range"),
        ),
        sa.CheckConstraint(
            "rate_points BETWEEN 1 AND 100000",
            name=op.f("ck_exchange_settings_rate_points_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_exchange_settings_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_exchange_settings")),
    )
    op.create_table(
        "expiry_settings",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("months", sa.SmallInteger(), nullable=True),
        sa.Column("updated_at", When, nullable=False),
        sa.CheckConstraint(
            "months IS NULL OR months BETWEEN 1 AND 120",
            name=op.f("ck_expiry_settings_months_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_expiry_settings_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_expiry_settings")),
    )
    op.create_table(
        "point_lots",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("source_entry_id", sa.String(length=40), nullable=True),
        sa.Column("earned_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("amount_points", sa.BigInteger(), nullable=False),
        sa.Column("remaining_points", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_points > 0", name=op.f("ck_point_lots_amount_positive")),
        sa.CheckConstraint(
            "remaining_points >= 0 AND remaining_points <= amount_points",
            name=op.f("ck_point_lots_remaining_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_point_lots_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["source_entry_id"],
            ["entries.id"],
            name=op.f("fk_point_lots_source_entry_id_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_lots")),
    )
    op.create_index(
        "ix_point_lots_account_expiry",
        "point_lots",
        ["account_id", "expires_at", "id"],
        unique=False,
    )
    op.create_index("ix_point_lots_expires_at", "point_lots", ["expires_at"], unique=False)
    op.create_index(
        op.f("ix_point_lots_source_entry_id"), "point_lots", ["source_entry_id"], unique=False
    )
    op.create_table(
        "lot_draws",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("lot_id", BigId, nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("restored_points", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("points > 0", name=op.f("ck_lot_draws_points_positive")),
        sa.CheckConstraint(
            "restored_points >= 0 AND restored_points <= points",
            name=op.f("ck_lot_draws_restored_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_lot_draws_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["point_lots.id"], name=op.f("fk_lot_draws_lot_id_point_lots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot_draws")),
    )
    op.create_index(op.f("ix_lot_draws_entry_id"), "lot_draws", ["entry_id"], unique=False)
    op.create_index(op.f("ix_lot_draws_lot_id"), "lot_draws", ["lot_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LOT_GUARDS)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LOT_GUARDS_DROP)
    op.drop_index(op.f("ix_lot_draws_lot_id"), table_name="lot_draws")
    op.drop_index(op.f("ix_lot_draws_entry_id"), table_name="lot_draws")
    op.drop_table("lot_draws")
    op.drop_index(op.f("ix_point_lots_source_entry_id"), table_name="point_lots")
    op.drop_index("ix_point_lots_expires_at", table_name="point_lots")
    op.drop_index("ix_point_lots_account_expiry", table_name="point_lots")
    op.drop_table("point_lots")
    op.drop_table("expiry_settings")
    op.drop_table("exchange_settings")
    with op.batch_alter_table("shop_items", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_shop_items_service_has_no_stock"), type_="check")
        batch_op.drop_constraint(op.f("ck_shop_items_kind_known"), type_="check")
        batch_op.drop_column("kind")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_column("points_in_lots")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("keeps_lots")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_entries_kind_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_entries_kind_known"), _kinds(KINDS_BEFORE))
