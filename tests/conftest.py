"""Shared fixtures: one migrated database per test session, emptied after every test.

``POINTSBANK_TEST_DATABASE`` picks the backend: ``sqlite`` (default; a temporary file) or
``postgresql`` (a fresh database created on ``POINTSBANK_TEST_PG_URL`` and dropped afterwards).
Flask-SQLAlchemy ignores a connection bound for rollback-per-test, so tests truncate instead.
Flask and ``api`` are imported only by the fixtures that need the app, so a test of ``ledger/``
alone runs without the web framework loaded.
"""

import os
import tempfile
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from ledger.capabilities import METADATA
from ledger.core import apikeys
from ledger.core.clock import Clock, as_utc

BACKEND = os.environ.get("POINTSBANK_TEST_DATABASE", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "POINTSBANK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

postgres_only = pytest.mark.skipif(BACKEND != "postgresql", reason="needs PostgreSQL")


class TestClock(Clock):
    """The real clock until a test sets it; then it stands still where put."""

    def __init__(self):
        self._at = None

    def now(self) -> datetime:
        return self._at or datetime.now(UTC)

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)

    def advance(self, **delta):
        from datetime import timedelta

        self._at = self.now() + timedelta(**delta)
        return self._at

    def reset(self) -> None:
        self._at = None


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and BACKEND != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL"))


@pytest.fixture(scope="session")
def database_url():
    if BACKEND == "postgresql":
        name = f"pointsbank_test_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(PG_ADMIN_URL).set(database=name)
        yield url.render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    elif BACKEND == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/pointsbank-test.db"
    else:
        raise RuntimeError(f"unknown POINTSBANK_TEST_DATABASE {BACKEND!r}")


@pytest.fixture(scope="session")
def test_clock():
    return TestClock()


def app_settings(database_url: str, clock: Clock, **overrides) -> dict:
    """The settings of the tests' app; ``overrides`` replace some (another pool, say)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "pointsbank-tests",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 16, "max_overflow": 8}
        if BACKEND == "postgresql"
        else {"connect_args": {"timeout": 30}},
        "CLOCK": clock,
        "RATELIMIT_ENABLED": False,
        **overrides,
    }


@pytest.fixture(scope="session")
def app(database_url, test_clock):
    from flask_migrate import upgrade

    from api.app import MIGRATIONS_DIR, create_app
    from api.extensions import db

    app = create_app(app_settings(database_url, test_clock))
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR)
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_all_tables(engine) -> None:
    # Only tables the migrations created: a model without its migration is the drift test's to
    # report, not a reason for every other test to fail in teardown.
    existing = set(sa.inspect(engine).get_table_names())
    tables = [t.name for t in reversed(METADATA.sorted_tables) if t.name in existing]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # replica role: the journal's append-only triggers do not fire for test cleanup.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for name in tables:
                conn.exec_driver_sql(f"DELETE FROM {name}")


@pytest.fixture(autouse=True)
def clean_database(request, test_clock):
    yield
    test_clock.reset()
    if "app" in request.fixturenames:
        from api.extensions import db

        app = request.getfixturevalue("app")
        with app.app_context():
            db.session.remove()
            _empty_all_tables(db.engine)


@pytest.fixture
def clock(test_clock):
    """The service's clock; ``clock.set(...)`` / ``clock.advance(days=3)`` move it."""
    return test_clock


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    """A database session inside an app context, for reading what the API wrote."""
    from api.extensions import db

    with app.app_context():
        yield db.session
        db.session.remove()


# Factories ---------------------------------------------------------------------------------------
@pytest.fixture
def make_key(app):
    """make_key(role, community=slug | [slugs], member=id, shop=id) -> request headers."""

    from api.extensions import db

    def make(role, community=None, member=None, shop=None):
        slugs = [community] if isinstance(community, str) else list(community or [])
        with app.app_context():
            _, token = apikeys.create_key(
                db.session,
                role=role,
                community_slugs=slugs,
                member_id=member,
                shop_id=shop,
                now=datetime.now(UTC),
            )
            db.session.commit()
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def admin(make_key):
    return make_key("admin")


def accounts_by(representation) -> dict:
    """{(kind, unit): account id} of a community's or member's representation."""
    return {(a["kind"], a["unit"]): a["id"] for a in representation["accounts"]}


@pytest.fixture
def make_community(client, admin):
    def make(slug="qianjiang", name="潜江社区", **fields):
        response = client.post(
            "/v1/communities", json={"slug": slug, "name": name, **fields}, headers=admin
        )
        assert response.status_code == 201, response.json
        community = response.json
        community["account"] = accounts_by(community)
        return community

    return make


@pytest.fixture
def make_member(client, admin):
    def make(community_slug, external_ref=None, display_name="居民"):
        external_ref = external_ref or f"ref-{uuid.uuid4().hex[:8]}"
        response = client.post(
            f"/v1/communities/{community_slug}/members",
            json={"external_ref": external_ref, "display_name": display_name},
            headers=admin,
        )
        assert response.status_code == 201, response.json
        member = response.json
        member["points_account"] = accounts_by(member)[("member", "points")]
        member["minutes_account"] = accounts_by(member)[("member", "minutes")]
        return member

    return make


@pytest.fixture
def grant(client, admin):
    """grant(community, account_id, amount, unit="points"): an adjustment out of issuance."""

    def give(community, account_id, amount, unit="points"):
        response = client.post(
            "/v1/adjustments",
            headers=admin,
            json={
                "postings": [
                    {
                        "from": community["account"][("issuance", unit)],
                        "to": account_id,
                        "unit": unit,
                        "amount": amount,
                    }
                ],
                "reason": "opening balance for a test",
            },
        )
        assert response.status_code == 201, response.json
        return response.json

    return give


@pytest.fixture
def balance(client, admin):
    """balance(account_id) -> the account representation (posted, pending, available...)."""

    def read(account_id):
        response = client.get(f"/v1/accounts/{account_id}", headers=admin)
        assert response.status_code == 200, response.json
        return response.json

    return read
