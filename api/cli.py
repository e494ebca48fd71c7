"""The ``pointsbank`` command: serve, db, keys, verify, sweep, demo."""

import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from ledger import apikeys, audit, demo, sweep
from ledger.models import ROLES

from . import create_app
from .clock import now
from .extensions import db

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


@main.group()
def keys():
    """API keys."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable).")
@click.option("--shop", "shop_id", default=None)
@click.option("--member", "member_id", default=None)
@click.option("--label", default="")
@with_appcontext
def keys_create(role, communities, shop_id, member_id, label):
    """Create an API key; prints it, alone, on the last line. It is shown only this once."""
    from ledger.errors import LedgerError

    try:
        key, token = apikeys.create_key(
            db.session,
            role=role,
            community_slugs=communities,
            shop_id=shop_id,
            member_id=member_id,
            label=label,
            now=now(),
        )
        db.session.commit()
    except LedgerError as exc:
        raise click.ClickException(f"{exc.detail} {exc.numbers or ''}".strip()) from exc
    click.echo(f"created {role} key {key.id}; store it now, it is not shown again:")
    click.echo(token)


@main.command()
@with_appcontext
def verify():
    """Check every ledger invariant; exit 1 with a report on any breach."""
    if db.engine.dialect.name == "postgresql":
        # One snapshot for every check: sums and caches read at different moments of a live
        # service would disagree without anything being wrong.
        db.session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    breaches = audit.verify(db.session)
    db.session.rollback()
    if not breaches:
        click.echo("ok: every invariant holds")
        return
    for breach in breaches:
        click.echo(f"BREACH {breach.check} {breach.subject}: {breach.detail}")
    click.echo(f"{len(breaches)} breach(es) found", err=True)
    sys.exit(1)


@main.command("sweep")
@with_appcontext
def sweep_command():
    """Run the scheduled jobs that have fallen due (safe to repeat and to run concurrently)."""
    at = now()
    for name, job in sweep.JOBS:
        handled = job(db.session, at)
        db.session.commit()
        click.echo(f"{name}: {handled}")


@main.command("demo")
@with_appcontext
def demo_command():
    """Load the demo community and print an API key for each role."""
    if _is_sqlite():
        upgrade(directory=current_app.extensions["migrate"].directory)
    keys = demo.load_demo(db.session, now())
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


from .cli_audit import check_proof, export, seal  # noqa: E402

main.add_command(seal)
main.add_command(export)
main.add_command(check_proof)

from .cli_earning import import_events  # noqa: E402

main.add_command(import_events)
