"""Migrations and models describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api.extensions import db
from ledger.capabilities import METADATA


def test_models_and_migrations_do_not_drift(app):
    """Autogenerate finds nothing to change after every migration ran."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, METADATA)
    assert differences == []
