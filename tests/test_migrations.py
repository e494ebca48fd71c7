"""Migrations and models describe the same schema."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from api.extensions import db
from ledger.capabilities import METADATA
from ledger.core.communities import create_community, create_member, member_account, system_account
from ledger.core.engine import configure_engine
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from tests.conftest import BACKEND, PG_ADMIN_URL

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def test_models_and_migrations_do_not_drift(app):
    """Autogenerate finds nothing to change after every migration ran."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, METADATA)
    assert differences == []


@pytest.fixture
def scratch_engine(tmp_path):
    """An empty database of the tests' backend, all its own, dropped afterwards."""
    if BACKEND == "sqlite":
        engine = configure_engine(sa.create_engine(f"sqlite:///{tmp_path}/scratch.db"))
        yield engine
        engine.dispose()
        return
    name = f"pointsbank_scratch_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = configure_engine(sa.create_engine(sa.make_url(PG_ADMIN_URL).set(database=name)))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _migrate(engine, how, revision):
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        how(config, revision)


def _post(engine, community_id, *postings, pending=False) -> str:
    """One transfer entry written by the journal and committed; returns its id."""
    with Session(engine) as session:
        draft = EntryDraft(
            community_id, "transfer", [PostingDraft(*p) for p in postings], pending=pending
        )
        entry = post_entry(session, draft, now=NOW)
        session.commit()
        return entry.id


def _history_before_lines(engine):
    """A grant, a netted two-posting gift, a captured and a voided hold; returns the community
    and the accounts of 王, 李 and issuance."""
    with Session(engine) as session:
        community = create_community(session, slug="xingguang", name="星光社区", now=NOW)
        wang, li = (
            member_account(session, member.id, "points").id
            for member in (
                create_member(session, community, external_ref=r, display_name=r, now=NOW)
                for r in ("R-wang", "R-li")
            )
        )
        issuance = system_account(session, community.id, "issuance", "points").id
        session.commit()
        community_id = community.id
    _post(engine, community_id, (issuance, wang, "points", 100))
    _post(engine, community_id, (wang, li, "points", 30), (li, wang, "points", 5))
    for resolve, amount in ((post_pending, 7), (void_pending, 9)):
        hold = _post(engine, community_id, (wang, li, "points", amount), pending=True)
        with Session(engine) as session:
            resolve(session, hold, now=NOW)
            session.commit()
    return community_id, wang, li, issuance


def _line_sums(engine):
    """{account id: (sum of its lines, how many)}."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT account_id, SUM(amount), COUNT(*) FROM account_lines GROUP BY account_id"
            )
        )
        return {account_id: (int(total), count) for account_id, total, count in rows}


def test_account_lines_backfill_on_upgrade_and_go_away_on_downgrade(scratch_engine):
    """0016 writes the lines of the entries already posted; its downgrade drops the table and
    its triggers (a posting still works), and upgrading again backfills that posting too."""
    _migrate(scratch_engine, command.upgrade, "0015_fast_path")
    community_id, wang, li, issuance = _history_before_lines(scratch_engine)
    _migrate(scratch_engine, command.upgrade, "0016_account_lines")
    assert _line_sums(scratch_engine) == {wang: (68, 3), li: (32, 2), issuance: (-100, 1)}
    _migrate(scratch_engine, command.downgrade, "0015_fast_path")
    assert "account_lines" not in sa.inspect(scratch_engine).get_table_names()
    _post(scratch_engine, community_id, (issuance, li, "points", 1))
    _migrate(scratch_engine, command.upgrade, "head")
    assert _line_sums(scratch_engine) == {wang: (68, 3), li: (33, 3), issuance: (-101, 2)}


def _fast_path_functions(engine) -> dict[str, tuple[str, list[str] | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT proname, prosrc, proconfig FROM pg_proc WHERE proname IN "
                "('pointsbank_award_standing', 'pointsbank_redeem_standing', "
                "'pointsbank_record_redemption')"
            )
        )
        return {name: (source, config) for name, source, config in rows}


@pytest.mark.postgres
def test_fast_path_plans_replace_one_clause_each_and_downgrade_restores_them(scratch_engine):
    """0019 plans the award's standing once and by index, locks only counted stock and updates
    balances by key; its downgrade gives back 0017's functions exactly."""
    _migrate(scratch_engine, command.upgrade, "0018_report_indexes")
    before = _fast_path_functions(scratch_engine)
    _migrate(scratch_engine, command.upgrade, "0019_fast_path_plans")
    after = _fast_path_functions(scratch_engine)
    assert after["pointsbank_award_standing"] == (
        before["pointsbank_award_standing"][0],
        ["plan_cache_mode=force_generic_plan", "enable_seqscan=off"],
    )
    standings = before["pointsbank_redeem_standing"][0], after["pointsbank_redeem_standing"][0]
    assert ["uncounted" in source for source in standings] == [False, True]
    records = before["pointsbank_record_redemption"][0], after["pointsbank_record_redemption"][0]
    assert [source.count("END LOOP") for source in records] == [1, 2]
    _migrate(scratch_engine, command.downgrade, "0018_report_indexes")
    assert _fast_path_functions(scratch_engine) == before


@pytest.mark.postgres
def test_the_service_may_only_add_rolled_up_days(scratch_engine):
    """0020's rollup tables take the service's inserts, never its updates or deletes; its
    downgrade drops them."""
    _migrate(scratch_engine, command.upgrade, "0020_journal_days")
    with scratch_engine.connect() as connection:
        granted = {
            (table, privilege): connection.scalar(
                sa.text("SELECT has_table_privilege('pointsbank_app', :table, :privilege)"),
                {"table": table, "privilege": privilege},
            )
            for table in ("journal_days", "journal_day_sums")
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")
        }
    assert [key for key, allowed in granted.items() if allowed] == [
        ("journal_days", "SELECT"),
        ("journal_days", "INSERT"),
        ("journal_day_sums", "SELECT"),
        ("journal_day_sums", "INSERT"),
    ]
    _migrate(scratch_engine, command.downgrade, "0019_fast_path_plans")
    assert "journal_days" not in sa.inspect(scratch_engine).get_table_names()


@pytest.mark.postgres
def test_the_statement_page_function_keeps_one_plan_by_index(scratch_engine):
    """0021's page function plans once, by index, and its downgrade drops it."""
    _migrate(scratch_engine, command.upgrade, "0021_statement_plans")
    query = sa.text("SELECT proconfig FROM pg_proc WHERE proname = 'pointsbank_statement_page'")
    with scratch_engine.connect() as connection:
        assert connection.scalar(query) == [
            "plan_cache_mode=force_generic_plan",
            "enable_seqscan=off",
            "enable_hashjoin=off",
        ]
    _migrate(scratch_engine, command.downgrade, "0020_journal_days")
    with scratch_engine.connect() as connection:
        assert connection.scalar(query) is None
