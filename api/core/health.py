"""Liveness and readiness probes (no API key needed)."""

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from marshmallow import Schema, fields

from api.extensions import db
from api.problems import problem
from api.smorest import Blueprint

blp = Blueprint("health", __name__, description="Health probes")


class AliveSchema(Schema):
    status = fields.String(metadata={"description": "Always ok"})


class ReadySchema(Schema):
    status = fields.String(metadata={"description": "Always ready"})
    schema = fields.List(fields.String(), metadata={"description": "The migration heads"})


@blp.route("/healthz")
@blp.response(200, AliveSchema)
def healthz():
    """The process is alive."""
    return {"status": "ok"}


def schema_heads() -> tuple[set[str], set[str]]:
    """(revisions the database is at, revisions the code expects)."""
    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, set(script.get_heads())


def _schema_not_at_head(current: set[str], expected: set[str]):
    return problem(
        503,
        "not-ready",
        "Not ready",
        "the database schema is not at head",
        current=sorted(current),
        expected=sorted(expected),
    )


@blp.route("/readyz")
@blp.response(200, ReadySchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE", description="Not ready")
def readyz():
    """The database answers and its schema is at the code's migration head."""
    try:
        current, expected = schema_heads()
    except Exception as exc:  # any failure to reach the database means not ready
        return problem(503, "not-ready", "Not ready", f"database unreachable: {type(exc).__name__}")
    if current != expected:
        return _schema_not_at_head(current, expected)
    return {"status": "ready", "schema": sorted(current)}
