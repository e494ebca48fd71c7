"""redemption: shops, catalogue, consent, redemptions, refunds and settlements

Revision ID: 0003_redemption
Revises: 0002_earning
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0003_redemption"
down_revision = "0002_earning"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "redemption_settings",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("fen_per_point", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "fen_per_point >= 0", name=op.f("ck_redemption_settings_rate_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_redemption_settings_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_redemption_settings")),
    )
    op.create_table(
        "consent_codes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_consent_codes_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_codes")),
    )
    with op.batch_alter_table("consent_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_codes_member_code", ["member_id", "code_sha256"], unique=False
        )

    op.create_table(
        "member_consents",
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("locked_until", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("locks_in_a_row", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "failed_attempts >= 0", name=op.f("ck_member_consents_attempts_not_negative")
        ),
        sa.CheckConstraint(
            "locks_in_a_row >= 0", name=op.f("ck_member_consents_locks_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_consents_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_consents")),
    )
    op.create_table(
        "shops",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_shops_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_shops_community_id_communities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shops")),
        sa.UniqueConstraint("account_id", name=op.f("uq_shops_account_id")),
    )
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shops_community_id"), ["community_id"], unique=False)

    op.create_table(
        "settlements",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("shop_id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=True),
        sa.Column("redeemed_points", sa.BigInteger(), nullable=False),
        sa.Column("refunded_points", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("fen_per_point", sa.BigInteger(), nullable=False),
        sa.Column("money_due_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "points = redeemed_points - refunded_points", name=op.f("ck_settlements_points_net")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_settlements_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_settlements_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_settlements_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index("ix_settlements_shop_id_id", ["shop_id", "id"], unique=False)

    op.create_table(
        "shop_items",
        sa.Column("shop_id", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("price_points", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("price_points > 0", name=op.f("ck_shop_items_price_positive")),
        sa.CheckConstraint(
            "stock IS NULL OR stock >= 0", name=op.f("ck_shop_items_stock_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_shop_items_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("shop_id", "sku", name=op.f("pk_shop_items")),
    )
    op.create_table(
        "redemptions",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("shop_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("refunded_points", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("memo", sa.String(length=500), server_default="", nullable=False),
        sa.Column("consent_method", sa.String(length=8), nullable=False),
        sa.Column("hold_expires_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("captured_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settlement_id", sa.String(length=40), nullable=True),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "consent_method IN ('code', 'pin')", name=op.f("ck_redemptions_consent_method_known")
        ),
        sa.CheckConstraint(
            "status IN ('held', 'captured', 'voided')", name=op.f("ck_redemptions_status_known")
        ),
        sa.CheckConstraint("points > 0", name=op.f("ck_redemptions_points_positive")),
        sa.CheckConstraint(
            "refunded_points >= 0 AND refunded_points <= points",
            name=op.f("ck_redemptions_refunds_within_points"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_redemptions_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_redemptions_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_redemptions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_redemptions_settlement_id_settlements"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_redemptions_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_redemptions_entry_id")),
    )
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.create_index("ix_redemptions_member_status", ["member_id", "status"], unique=False)
        batch_op.create_index("ix_redemptions_settlement_id", ["settlement_id"], unique=False)
        batch_op.create_index("ix_redemptions_shop_id_id", ["shop_id", "id"], unique=False)
        batch_op.create_index(
            "ix_redemptions_status_expires", ["status", "hold_expires_at"], unique=False
        )

    op.create_table(
        "redemption_lines",
        sa.Column("redemption_id", sa.String(length=40), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit_price_points", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("refunded_quantity", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_redemption_lines_quantity_positive")),
        sa.CheckConstraint(
            "refunded_quantity >= 0 AND refunded_quantity <= quantity",
            name=op.f("ck_redemption_lines_refunds_within_quantity"),
        ),
        sa.CheckConstraint(
            "unit_price_points > 0", name=op.f("ck_redemption_lines_price_positive")
        ),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.id"],
            name=op.f("fk_redemption_lines_redemption_id_redemptions"),
        ),
        sa.PrimaryKeyConstraint("redemption_id", "line_no", name=op.f("pk_redemption_lines")),
    )
    op.create_table(
        "redemption_refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("redemption_id", sa.String(length=40), nullable=False),
        sa.Column("shop_id", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.String(length=40), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("memo", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settlement_id", sa.String(length=40), nullable=True),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint("points > 0", name=op.f("ck_redemption_refunds_points_positive")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_redemption_refunds_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.id"],
            name=op.f("fk_redemption_refunds_redemption_id_redemptions"),
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_redemption_refunds_settlement_id_settlements"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_redemption_refunds_shop_id_shops")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemption_refunds")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_redemption_refunds_entry_id")),
    )
    with op.batch_alter_table("redemption_refunds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_redemption_refunds_redemption_id", ["redemption_id"], unique=False
        )
        batch_op.create_index(
            "ix_redemption_refunds_shop_settlement", ["shop_id", "settlement_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("redemption_refunds", schema=None) as batch_op:
        batch_op.drop_index("ix_redemption_refunds_shop_settlement")
        batch_op.drop_index("ix_redemption_refunds_redemption_id")

    op.drop_table("redemption_refunds")
    op.drop_table("redemption_lines")
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_redemptions_status_expires")
        batch_op.drop_index("ix_redemptions_shop_id_id")
        batch_op.drop_index("ix_redemptions_settlement_id")
        batch_op.drop_index("ix_redemptions_member_status")

    op.drop_table("redemptions")
    op.drop_table("shop_items")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index("ix_settlements_shop_id_id")

    op.drop_table("settlements")
    with op.batch_alter_table("shops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shops_community_id"))

    op.drop_table("shops")
    op.drop_table("member_consents")
    with op.batch_alter_table("consent_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_codes_member_code")

    op.drop_table("consent_codes")
    op.drop_table("redemption_settings")
