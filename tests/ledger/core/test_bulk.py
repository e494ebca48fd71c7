"""Bulk inserts: every row in one statement, conflicts skipped, SQL defaults filled in."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ledger.core import bulk
from ledger.core.ids import new_id
from ledger.earning.models import EarningEvent
from ledger.webhooks.models import WebhookEvent

_outbox = WebhookEvent.__table__


def _outbox_row(community_id: str, at, resource_id: str) -> dict:
    return {
        "id": new_id("whe"),
        "type": "transfer.posted",
        "community_id": community_id,
        "resource_type": "entry",
        "resource_id": resource_id,
        "occurred_at": at,
        "api_key_id": None,
    }


def _statements(session):
    seen: list[str] = []
    sa.event.listen(session.get_bind(), "before_cursor_execute", _note(seen))
    return seen


def _note(seen):
    def note(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    return note


def test_rows_go_in_with_their_values_and_the_columns_sql_defaults(session, community, now):
    """Every row is stored as given; the transaction id the outbox's default computes is set."""
    rows = [_outbox_row(community.id, now + timedelta(seconds=i), f"ent_{i}") for i in range(3)]
    bulk.insert_rows(session.connection(), _outbox, rows)
    stored = session.scalars(sa.select(WebhookEvent).order_by(WebhookEvent.seq)).all()
    assert [(e.id, e.resource_id, e.occurred_at) for e in stored] == [
        (r["id"], r["resource_id"], r["occurred_at"]) for r in rows
    ]
    xids = {e.xid for e in stored}
    if session.get_bind().dialect.name == "sqlite":
        assert xids == {0}
    else:
        assert xids == {session.scalar(sa.text("SELECT pg_current_xact_id()::text::bigint"))}


def test_on_postgresql_a_batch_is_one_statement_whatever_its_size(session, community, now):
    """Ten rows or a hundred: one INSERT, of the same text."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the JSON rows statement is PostgreSQL's")
    seen = _statements(session)
    for size in (10, 100):
        rows = [_outbox_row(community.id, now, f"ent_{size}_{i}") for i in range(size)]
        bulk.insert_rows(session.connection(), _outbox, rows)
    inserts = [s for s in seen if s.startswith("INSERT")]
    assert len(inserts) == 2 and inserts[0] == inserts[1]
    assert session.scalar(sa.select(sa.func.count()).select_from(_outbox)) == 110


def test_conflicting_rows_are_skipped_and_only_the_inserted_are_returned(
    session, community, wang, award
):
    """With skip_conflicts_on, a row whose key exists is left out of what comes back."""
    first = award(wang).event
    row = {
        column.name: getattr(first, column.key)
        for column in EarningEvent.__table__.columns
        if column.name != "id"
    }
    fresh = {**row, "id": new_id("evt"), "source_id": "sheet-2"}
    session.flush()
    again = {**row, "id": new_id("evt")}  # same (source, source_id) as the first
    inserted = bulk.insert_rows(
        session.connection(),
        EarningEvent.__table__,
        [fresh, again],
        skip_conflicts_on=("source", "source_id"),
        returning="id",
    )
    assert inserted == [fresh["id"]]


def test_a_left_out_column_with_a_python_default_is_refused(session, community, now):
    """A column whose default only Python knows cannot be left to the JSON statement."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's executemany applies Python defaults itself")
    table = sa.Table(
        "bulk_probe",
        sa.MetaData(),
        sa.Column("id", sa.Integer),
        sa.Column("n", sa.Integer, default=3),
    )
    with pytest.raises(ValueError, match="Python default"):
        bulk.insert_rows(session.connection(), table, [{"id": 1}])


def test_json_param_writes_times_as_iso_and_keeps_chinese_readable(now):
    """Datetimes travel as ISO 8601; text is not escaped; None stays NULL."""
    assert bulk.json_param({"at": now, "memo": "清洁家园"}) == (
        f'{{"at":"{now.isoformat()}","memo":"清洁家园"}}'
    )
    assert bulk.json_param(None) is None


def test_json_param_refuses_what_json_cannot_write():
    """A value with no JSON form is a TypeError, not a silent string."""
    with pytest.raises(TypeError):
        bulk.json_param({"amount": object()})


def test_each_value_is_a_table_of_the_values_given(session):
    """The values come back one row each, quotes and Chinese text intact."""
    values = ["a", "王's", "积分", "a"]
    wanted = bulk.each_value(session.get_bind().dialect.name, values)
    assert list(session.scalars(sa.select(wanted.c.value))) == values
