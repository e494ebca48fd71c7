"""One app on one pooled PostgreSQL connection, and the statements that connection has prepared."""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from api.extensions import db
from tests.conftest import app_settings

# psycopg prepares a statement at its fifth execution on a connection; a few more to be sure.
EXECUTIONS_TO_PREPARE = 8
ONE_CONNECTION = {"pool_size": 1, "max_overflow": 0}


@contextmanager
def one_connection_app(database_url: str, clock) -> Iterator[Flask]:
    """The tests' app with a pool of one connection, disposed of afterwards."""
    from api.app import create_app

    app = create_app(app_settings(database_url, clock, SQLALCHEMY_ENGINE_OPTIONS=ONE_CONNECTION))
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


def prepared_statements(app: Flask) -> list[str]:
    """The texts of the statements prepared on the app's one connection."""
    with app.app_context():
        prepared = db.session.scalars(sa.text("SELECT statement FROM pg_prepared_statements"))
        texts = list(prepared)
        db.session.rollback()
    return texts
