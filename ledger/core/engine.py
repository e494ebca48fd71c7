"""Connection settings every pointsbank engine needs, whoever builds the engine.

SQLite: foreign keys on (they are off by default), WAL, a busy timeout, and every transaction
BEGIN IMMEDIATE, so concurrent writers queue at BEGIN instead of failing when a read transaction
tries to become a write one. PostgreSQL: every lock wait is bounded, so a stuck transaction turns
into a retryable refusal rather than a pile-up, and a pooled connection that sat idle for
``POOL_PING_IDLE_SECONDS`` is pinged at checkout (one that died with a restart is replaced
before a request uses it). A connection in steady use is not pinged: a ping on every checkout
is a round trip on every request. If the server restarts under steady use, the first request
on each dead connection fails with 503 (nothing written, safe to retry) and SQLAlchemy then
replaces the whole pool. The web app and the ledger's own tests share these.
"""

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# No transaction waits longer than this on a row lock (PostgreSQL); the same as api/dbstate.py.
LOCK_TIMEOUT_MS = 10_000
# A pooled connection idle at least this long is pinged before use (PostgreSQL).
POOL_PING_IDLE_SECONDS = 5.0


def _never() -> bool:
    return False


def configure_sqlite(engine: sa.Engine, *, reads_only: Callable[[], bool] = _never) -> None:
    """Connect hooks for SQLite; ``reads_only()`` true lets a transaction begin deferred.

    pysqlite's own transaction handling is switched off so that our BEGIN is the one that counts.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A reader under WAL does not hold writers back, so it need not take the write lock.
        connection.exec_driver_sql("BEGIN" if reads_only() else "BEGIN IMMEDIATE")


def configure_postgresql(engine: sa.Engine, *, lock_timeout_ms: int) -> None:
    """Bound every lock wait on each new connection; ping connections that sat idle."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_connection.commit()

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < POOL_PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out another (a fresh one if needed).
            raise DisconnectionError() from exc


def configure_engine(engine: sa.Engine, *, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> sa.Engine:
    """Apply the settings of the engine's dialect; other dialects are left as they are."""
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        configure_postgresql(engine, lock_timeout_ms=lock_timeout_ms)
    return engine
