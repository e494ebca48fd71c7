"""gatherings: meetings and actions, their topics, attendance and settings

Revision ID: 0014_gatherings
Revises: 0012a_rule_titles
"""

import sqlalchemy as sa
from alembic import op

import ledger.core.types

revision = "0014_gatherings"
down_revision = "0012a_rule_titles"
branch_labels = None
depends_on = None

# On PostgreSQL: attendance rows are append-only, and each one's event is the award this
# module keys by (gathering, member), so the database itself refuses a second award's link.
GUARD = """
CREATE FUNCTION pointsbank_attendance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    RAISE EXCEPTION 'gathering attendances are append-only';
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM earning_events e
    WHERE e.id = NEW.event_id AND e.member_id = NEW.member_id
      AND e.source_id = 'gathering:' || NEW.gathering_id || ':' || NEW.member_id
  ) THEN
    RAISE EXCEPTION 'an attendance links its member''s award for this gathering';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER gathering_attendances_guard BEFORE INSERT OR UPDATE OR DELETE
  ON gathering_attendances FOR EACH ROW EXECUTE FUNCTION pointsbank_attendance_guard();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS gathering_attendances_guard ON gathering_attendances;
DROP FUNCTION IF EXISTS pointsbank_attendance_guard();
"""


def upgrade():
    op.create_table(
        "gathering_settings",
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("attendee_names", sa.String(length=8), nullable=False),
        sa.Column("updated_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "attendee_names IN ('full', 'surname', 'count')",
            name=op.f("ck_gathering_settings_attendee_names_known"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gathering_settings_community_id_communities"),
        ),
        sa.PrimaryKeyConstraint("community_id", name=op.f("pk_gathering_settings")),
    )
    op.create_table(
        "gatherings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("community_id", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("activity", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("starts_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("organizer_member_id", sa.String(length=40), nullable=True),
        sa.Column("organizer_name", sa.String(length=200), nullable=False),
        sa.Column("published_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("api_key_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint("kind IN ('meeting', 'action')", name=op.f("ck_gatherings_kind_known")),
        sa.CheckConstraint(
            "organizer_member_id IS NOT NULL OR organizer_name <> ''",
            name=op.f("ck_gatherings_organizer_named"),
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_gatherings_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["communities.id"],
            name=op.f("fk_gatherings_community_id_communities"),
        ),
        sa.ForeignKeyConstraint(
            ["organizer_member_id"],
            ["members.id"],
            name=op.f("fk_gatherings_organizer_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gatherings")),
    )
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gatherings_community_starts_at", ["community_id", "starts_at"], unique=False
        )

    op.create_table(
        "gathering_attendances",
        sa.Column("gathering_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("ticked_by", sa.String(length=200), nullable=False),
        sa.Column("signed_in_at", ledger.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.CheckConstraint(
            "method IN ('scan', 'roll_call')", name=op.f("ck_gathering_attendances_method_known")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["earning_events.id"],
            name=op.f("fk_gathering_attendances_event_id_earning_events"),
        ),
        sa.ForeignKeyConstraint(
            ["gathering_id"],
            ["gatherings.id"],
            name=op.f("fk_gathering_attendances_gathering_id_gatherings"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_gathering_attendances_member_id_members")
        ),
        sa.PrimaryKeyConstraint("gathering_id", "member_id", name=op.f("pk_gathering_attendances")),
        sa.UniqueConstraint("event_id", name=op.f("uq_gathering_attendances_event_id")),
    )
    op.create_table(
        "gathering_topics",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("gathering_id", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=2000), nullable=False),
        sa.Column("decision", sa.String(length=2000), nullable=True),
        sa.Column("carried_by", sa.String(length=200), nullable=True),
        sa.Column("feedback", sa.String(length=2000), nullable=True),
        sa.Column("carried_out", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("feedback_at", ledger.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "decision IS NULL OR carried_by IS NOT NULL",
            name=op.f("ck_gathering_topics_decision_has_carrier"),
        ),
        sa.CheckConstraint(
            "feedback IS NULL OR decision IS NOT NULL",
            name=op.f("ck_gathering_topics_feedback_on_decision"),
        ),
        sa.CheckConstraint("position > 0", name=op.f("ck_gathering_topics_position_positive")),
        sa.ForeignKeyConstraint(
            ["gathering_id"],
            ["gatherings.id"],
            name=op.f("fk_gathering_topics_gathering_id_gatherings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_topics")),
        sa.UniqueConstraint(
            "gathering_id", "position", name=op.f("uq_gathering_topics_gathering_id_position")
        ),
    )
    with op.batch_alter_table("gathering_topics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_gathering_topics_gathering_id"), ["gathering_id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(UNGUARD)
    with op.batch_alter_table("gathering_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gathering_topics_gathering_id"))

    op.drop_table("gathering_topics")
    op.drop_table("gathering_attendances")
    with op.batch_alter_table("gatherings", schema=None) as batch_op:
        batch_op.drop_index("ix_gatherings_community_starts_at")

    op.drop_table("gatherings")
    op.drop_table("gathering_settings")
