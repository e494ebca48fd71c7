"""The ``pointsbank`` command: serve, db, sweep and demo here; each capability adds its own."""

import copy
import os
import shlex
import sys
from importlib import metadata

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from api import gunicorn_conf, observability
from api.app import CAPABILITIES, create_app
from api.clock import now
from api.extensions import db
from ledger import capabilities

DEMO_URL = f"http://{gunicorn_conf.DEFAULT_BIND}"
GUNICORN_CONFIG = "python:api.gunicorn_conf"
# Flask's own options choose an app, a .env file or debug mode: pointsbank has one app, reads its
# settings from the environment, and never serves in debug mode.
FLASK_OPTIONS = ("env_file", "app", "debug")
# Commands that extensions add and that an operator of pointsbank has no use for; they still run
# when named, they are only left out of --help.
HIDDEN_COMMANDS = frozenset({"limiter", "openapi"})
DEMO_ENV_FILE = "demo.env"
DEMO_KEY_NAMES = (
    "ADMIN",
    "STAFF",
    "INTEGRATOR",
    "TILL",
    "MEMBER_KEY",
    "ELDER_KEY",
    "VOLUNTEER_KEY",
)


def version() -> str:
    """The installed distribution's version (what `pip install` recorded)."""
    try:
        return metadata.version("pointsbank")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


class PointsbankGroup(FlaskGroup):
    """Flask's command group without what does not apply to pointsbank in --help."""

    def __init__(self, **extra):
        super().__init__(**extra)
        # Copies: Flask's option objects are shared by every FlaskGroup in the process.
        self.params = [
            _hidden(p) if isinstance(p, click.Option) and p.name in FLASK_OPTIONS else p
            for p in self.params
        ]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in super().list_commands(ctx) if name not in HIDDEN_COMMANDS]


def _hidden(option: click.Option) -> click.Option:
    hidden = copy.copy(option)
    hidden.hidden = True
    return hidden


@click.group(
    cls=PointsbankGroup,
    create_app=create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
@click.version_option(version(), "--version", prog_name="pointsbank", help="Show the version.")
def main():
    """pointsbank: a double-entry points and time-bank ledger."""


def _is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def demo_env_path() -> str:
    """Where ``pointsbank demo`` writes its shell variables: next to the SQLite database, or in
    the instance folder when the database is elsewhere."""
    database = db.engine.url.database if _is_sqlite() else None
    folder = os.path.dirname(os.path.abspath(database)) if database else current_app.instance_path
    return os.path.join(folder, DEMO_ENV_FILE)


@main.command()
@click.option(
    "--bind",
    default=None,
    help=f"Address to listen on (default: $POINTSBANK_BIND or {gunicorn_conf.DEFAULT_BIND}).",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(min=1),
    help=f"Worker processes (default: $POINTSBANK_WORKERS or {gunicorn_conf.DEFAULT_WORKERS}).",
)
@with_appcontext
def serve(bind, workers):
    """Run the API under gunicorn with api/gunicorn_conf.py (on SQLite, migrate first)."""
    bind = bind or gunicorn_conf.bind
    workers = workers or gunicorn_conf.workers
    if _is_sqlite():
        upgrade(directory=current_app.extensions["migrate"].directory)
    env_file = demo_env_path()
    click.echo(
        f"pointsbank serving http://{bind} with {workers} workers\n"
        f"  database  {db.engine.url.render_as_string(hide_password=True)}\n"
        f"  demo keys {env_file}"
        + ("" if os.path.exists(env_file) else " (not made yet: run `pointsbank demo`)")
        + "\n  in a second terminal: source that file, then follow README.md's walk-through"
        "\n  stop with Ctrl-C",
        err=True,
    )
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            GUNICORN_CONFIG,
            "--bind",
            bind,
            "--workers",
            str(workers),
            "wsgi:app",
        ],
    )


@main.command("sweep")
@with_appcontext
def sweep_command():
    """Run the scheduled jobs that have fallen due (safe to repeat and to run concurrently)."""
    at = now()
    results = {}
    for name, job in capabilities.JOBS:
        handled = results[name] = job(db.session, at)
        db.session.commit()
        click.echo(f"{name}: {handled}")
    observability.record_sweep(results)


def _write_env(path: str, env: dict[str, str]) -> None:
    """Shell variables, quoted for ``source``; readable by the owner only, since it holds keys."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("# written by `pointsbank demo`; the keys of earlier runs are revoked\n")
        for name, value in env.items():
            handle.write(f"export {name}={shlex.quote(value)}\n")


@main.command("demo")
@click.option("--url", default=DEMO_URL, show_default=True, help="Where the API will be served.")
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False),
    default=None,
    help=f"Where to write the shell variables (default: {DEMO_ENV_FILE} beside the database).",
)
@with_appcontext
def demo_command(url, env_file):
    """Load the demo community, say what is in it, and write its shell variables and keys."""
    if _is_sqlite():
        upgrade(directory=current_app.extensions["migrate"].directory)
    story = capabilities.load_demo(db.session, now())
    db.session.commit()
    for line in story.lines:
        click.echo(line)
    path = env_file or demo_env_path()
    _write_env(path, {"PB": url, **story.env})
    click.echo("keys (shown once; also in the file below):")
    for name in DEMO_KEY_NAMES:
        if name in story.env:
            click.echo(f"  {name:<13} {story.env[name]}")
    click.echo(
        f"shell variables for the walk-through: {path}\n"
        f"next: `pointsbank serve`, then in a second terminal `source {os.path.relpath(path)}`"
    )


for capability in CAPABILITIES:
    for command in capability.COMMANDS:
        main.add_command(command)
