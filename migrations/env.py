"""Alembic environment: migrates a database to every capability's tables
(``ledger.capabilities.METADATA``).

Where the database comes from, first found wins: a connection handed over in
``config.attributes["connection"]`` (the ledger's tests migrate that way, without Flask), the
``sqlalchemy.url`` of the Alembic config, or else the Flask app's engine (``flask db`` through
Flask-Migrate). Flask is imported only in that last case, so migrating needs no web framework.
"""

import logging
from contextlib import contextmanager, nullcontext
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

from ledger.capabilities import METADATA

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = METADATA


def _flask_engine():
    from flask import current_app

    return current_app.extensions["migrate"].db.engine


def _url() -> str:
    connection = config.attributes.get("connection")
    if connection is not None:
        return connection.engine.url.render_as_string(hide_password=False)
    return config.get_main_option("sqlalchemy.url") or _flask_engine().url.render_as_string(
        hide_password=False
    )


@contextmanager
def _own_engine(url: str):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _connection():
    """The connection to migrate on; one handed over stays open for its owner to commit."""
    handed_over = config.attributes.get("connection")
    if handed_over is not None:
        return nullcontext(handed_over)
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return _own_engine(url)
    return _flask_engine().connect()


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context_, revision, directives):
        # `db migrate` with no model change writes no empty revision.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    with _connection() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=True,
            process_revision_directives=skip_empty,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
