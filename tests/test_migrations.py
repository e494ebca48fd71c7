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


def test_readyz_reports_the_schema_at_head(client):
    """/readyz answers 200 once the schema is migrated, and /healthz always does."""
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ready"
