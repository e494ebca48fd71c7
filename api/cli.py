"""The ``pointsbank`` command: serve, db, sweep and demo here; each capability adds its own."""

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from api.app import CAPABILITIES, create_app
from api.clock import now
from api.extensions import db
from ledger import capabilities

DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WORKERS = 2
DEMO_URL = f"http://{DEFAULT_BIND}"


@click.group(
    cls=FlaskGroup,
    create_app=create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main():
    """pointsbank: a double-entry points and time-bank ledger."""


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


@main.command()
@click.option("--bind", default=DEFAULT_BIND, show_default=True)
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=int)
@with_appcontext
def serve(bind, workers):
    """Run the API under gunicorn (on the embedded SQLite default, migrate first)."""
    if _is_sqlite():
        upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo(f"pointsbank listening on http://{bind}", err=True)
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--no-control-socket",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "wsgi:app",
        ],
    )


@main.command("sweep")
@with_appcontext
def sweep_command():
    """Run the scheduled jobs that have fallen due (safe to repeat and to run concurrently)."""
    at = now()
    for name, job in capabilities.JOBS:
        handled = job(db.session, at)
        db.session.commit()
        click.echo(f"{name}: {handled}")


@main.command("demo")
@with_appcontext
def demo_command():
    """Load the demo community and print an API key for each role."""
    if _is_sqlite():
        upgrade(directory=current_app.extensions["migrate"].directory)
    keys = capabilities.load_demo(db.session, now())
    db.session.commit()
    click.echo(f"demo community '{keys.pop('community')}' is ready; member {keys.pop('member_id')}")
    for role, token in keys.items():
        click.echo(f"{role:<11} {token}")
    # How to call it, on stderr so that stdout stays one key per line for scripts.
    click.echo(
        "\nstart the service with `pointsbank serve`, then for example:\n"
        f"  curl -H 'Authorization: Bearer {keys['staff']}' "
        f"{DEMO_URL}/v1/communities/demo\n"
        f"  curl -H 'Authorization: Bearer {keys['staff']}' "
        f"'{DEMO_URL}/v1/communities/demo/members?limit=5'\n"
        f"the API is described at {DEMO_URL}/openapi.json",
        err=True,
    )


for capability in CAPABILITIES:
    for command in capability.COMMANDS:
        main.add_command(command)
