"""Fixtures for the ledger's own tests: a plain SQLAlchemy Session, no Flask.

The engine is built from the root conftest's ``database_url`` with the settings every pointsbank
engine gets (``ledger.core.engine``), migrated by Alembic directly (``migrations/env.py`` takes
the connection handed over in ``config.attributes``), and emptied after every test with the root
conftest's helper. Factories build the community's life with ledger functions only.
"""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session

from ledger.capabilities import METADATA
from ledger.core.clock import FrozenClock
from ledger.core.communities import create_community, create_member, member_account, system_account
from ledger.core.engine import SQLITE_BUSY_TIMEOUT_SECONDS, configure_engine
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.earning.events import EventDraft, Source, record_event
from ledger.earning.rules import RuleDraft, set_rule
from ledger.supermarket.catalogue import add_item, create_shop

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"
# Monday 2 November 2026, 09:00 in Shanghai: weeks start here, so week caps read plainly.
MONDAY_MORNING = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
ADMIN_SOURCE = Source("tests", None, None)
PG_POOL = {"pool_size": 8, "max_overflow": 8}


def migrate(engine: sa.Engine) -> None:
    """Upgrade to head on one connection of ``engine``, with no Flask app."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@pytest.fixture(scope="session")
def root_conftest(pytestconfig):
    """The root conftest module as pytest loaded it (for its table-emptying helper)."""
    for plugin in pytestconfig.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) == str(ROOT_CONFTEST):
            return plugin
    raise RuntimeError("the root conftest is not loaded")


@pytest.fixture(scope="session")
def engine(database_url):
    """A migrated engine configured as the service configures its own."""
    url = sa.make_url(database_url)
    options = (
        PG_POOL
        if url.get_backend_name() == "postgresql"
        else {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}}
    )
    built = configure_engine(sa.create_engine(url, **options))
    migrate(built)
    yield built
    built.dispose()


def empty_tables(engine: sa.Engine, root_conftest) -> None:
    """Empty every table after a test: the root conftest's way, or a faster one on PostgreSQL.

    A test writes a few rows, and deleting them takes milliseconds where TRUNCATE of every table
    takes about 0.4 s on PostgreSQL. The replica role keeps the journal's append-only triggers
    (and the foreign-key triggers; tables go children first anyway) from firing for cleanup.
    """
    if engine.dialect.name != "postgresql":
        root_conftest._empty_all_tables(engine)
        return
    existing = set(sa.inspect(engine).get_table_names())
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in reversed(METADATA.sorted_tables):
            if table.name in existing:
                connection.execute(table.delete())


@pytest.fixture
def session(engine, root_conftest):
    """A plain Session; every table is emptied once the test is done."""
    with Session(engine) as opened:
        yield opened
    empty_tables(engine, root_conftest)


@pytest.fixture
def clock():
    """A clock standing on a Monday morning in Shanghai until a test moves it."""
    return FrozenClock(MONDAY_MORNING)


@pytest.fixture
def now(clock):
    return clock.now()


# Factories ---------------------------------------------------------------------------------------
@pytest.fixture
def make_community(session, now):
    """make_community(slug="qianjiang", **fields) -> a flushed Community with its accounts."""

    def make(slug="qianjiang", name="潜江社区", **fields):
        return create_community(session, slug=slug, name=name, now=now, **fields)

    return make


@pytest.fixture
def make_member(session, now):
    """make_member(community, display_name=...) -> a Member with points and minutes accounts."""

    def make(community, display_name="居民", external_ref=None):
        external_ref = external_ref or f"ref-{uuid.uuid4().hex[:8]}"
        return create_member(
            session, community, external_ref=external_ref, display_name=display_name, now=now
        )

    return make


@pytest.fixture
def community(make_community):
    """潜江社区, with a ten-hour time floor for its residents."""
    return make_community(time_floor_minutes=-600)


@pytest.fixture
def wang(community, make_member):
    return make_member(community, display_name="王秀英", external_ref="R-wang")


@pytest.fixture
def li(community, make_member):
    return make_member(community, display_name="李建国", external_ref="R-li")


@pytest.fixture
def points_of(session):
    """points_of(member) -> the id of the member's points account."""
    return lambda member: member_account(session, member.id, "points").id


@pytest.fixture
def grant(session, now):
    """grant(community, account_id, amount, unit="points"): an adjustment out of issuance."""

    def give(community, account_id, amount, unit="points"):
        issuance = system_account(session, community.id, "issuance", unit).id
        return post_entry(
            session,
            EntryDraft(
                community.id, "adjustment", [PostingDraft(issuance, account_id, unit, amount)]
            ),
            now=now,
        )

    return give


@pytest.fixture
def shop(session, community, now):
    """星光积分超市 selling rice (30 points, 5 in stock) and soap (12 points, unlimited)."""
    made = create_shop(session, community, name="星光积分超市", now=now)
    add_item(session, made, sku="rice", name="大米", price_points=30, stock=5, now=now)
    add_item(session, made, sku="soap", name="肥皂", price_points=12, stock=None, now=now)
    session.flush()
    return made


@pytest.fixture
def award(session, community, now):
    """award(member, activity="cleanup.join", points=10, **rule) -> the Recorded event."""

    def record(member, activity="cleanup.join", points=10, at=None, **rule):
        set_rule(session, community.id, activity, RuleDraft(points=points, **rule), now=now)
        return record_event(
            session,
            ADMIN_SOURCE,
            EventDraft(
                community=community.slug,
                activity=activity,
                occurred_at=at or now,
                source_id=f"src-{uuid.uuid4().hex[:8]}",
                recorded_by="社区议事会",
                member_id=member.id,
            ),
            now=now,
        )

    return record
