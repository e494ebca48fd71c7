"""Connection settings every pointsbank engine needs, whoever builds the engine.

SQLite: foreign keys on (they are off by default), WAL, a busy timeout, and every transaction
BEGIN IMMEDIATE, so concurrent writers queue at BEGIN instead of failing when a read transaction
tries to become a write one. PostgreSQL: every lock wait is bounded, so a stuck transaction turns
into a retryable refusal rather than a pile-up, and every pooled connection proves it is alive at
checkout with the transaction's own BEGIN (see :func:`begin_as_ping`): a connection that died
with a server restart is replaced before a request uses it, at no extra round trip. A read that
needs no transaction may skip it altogether (see :func:`checkout_outside_transaction`): a round
trip per statement, and none for BEGIN and COMMIT. The web app and the ledger's own tests share
these.
"""

import select
from collections.abc import Callable

import psycopg
import sqlalchemy as sa
from psycopg.pq import ExecStatus, TransactionStatus
from sqlalchemy import event
from sqlalchemy.exc import InvalidatePoolError

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# No transaction waits longer than this on a row lock (PostgreSQL); the same as api/dbstate.py.
LOCK_TIMEOUT_MS = 10_000


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


def configure_postgresql(
    engine: sa.Engine, *, lock_timeout_ms: int, outside_transaction: Callable[[], bool] = _never
) -> None:
    """Bound every lock wait on each new connection; begin (and so ping) at checkout, or, while
    ``outside_transaction()`` is true, check the connection and run without a transaction."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_connection.commit()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy):
        if outside_transaction():
            checkout_outside_transaction(dbapi_connection, record)
        else:
            begin_as_ping(dbapi_connection, record)

    @event.listens_for(engine, "checkin")
    def on_checkin(dbapi_connection, record):
        if record.info.pop(_OUTSIDE_TRANSACTION, False) and dbapi_connection is not None:
            back_in_transactions(dbapi_connection, record)

    @event.listens_for(engine, "set_connection_execution_options")
    def on_options(connection, options):
        # An isolation level or read-only flag must be set before the transaction begins: give
        # back the BEGIN sent at checkout (one round trip, on these rare connections only).
        if set(options) & _TRANSACTION_OPTIONS:
            record = connection.connection._connection_record
            if record is not None and record.info.pop(_BEGUN_AT_CHECKOUT, False):
                dbapi_connection = connection.connection.dbapi_connection
                dbapi_connection.pgconn.exec_(b"ROLLBACK")


_BEGUN_AT_CHECKOUT = "pointsbank.begun_at_checkout"
_OUTSIDE_TRANSACTION = "pointsbank.outside_transaction"
_TRANSACTION_OPTIONS = {"isolation_level", "postgresql_readonly", "postgresql_deferrable"}


def begin_as_ping(dbapi_connection, record) -> None:
    """Send the transaction's BEGIN at checkout, and treat its failure as a dead connection.

    psycopg would send this BEGIN before the first statement anyway, so the check that a pooled
    connection survived (a server restart) costs no round trip: a connection that fails it is
    replaced, with every older one, before a request sees it. Connections with their own
    isolation level, read-only flag or autocommit are left to psycopg's own BEGIN.
    """
    record.info.pop(_BEGUN_AT_CHECKOUT, None)
    pgconn = dbapi_connection.pgconn
    plain = (
        not dbapi_connection.autocommit
        and dbapi_connection.isolation_level is None
        and dbapi_connection.read_only is None
        and pgconn.transaction_status == TransactionStatus.IDLE
    )
    if not plain:
        return
    result = pgconn.exec_(b"BEGIN")
    if result.status != ExecStatus.COMMAND_OK:
        raise InvalidatePoolError("BEGIN failed at checkout")
    record.info[_BEGUN_AT_CHECKOUT] = True


def checkout_outside_transaction(dbapi_connection, record) -> None:
    """Put the connection in autocommit for this checkout, after checking it is alive.

    For a read whose statements need no snapshot in common, a transaction only adds BEGIN and
    COMMIT round trips: under READ COMMITTED each statement of a transaction takes a snapshot of
    its own anyway. Without the BEGIN there is no ping, so the check is
    the socket's: an idle connection has nothing to read unless the server ended it (a restart
    sends its termination notice, or closes the socket), and such a connection is replaced, with
    every older one, before the read uses it. psycopg's commit and rollback send nothing while no
    transaction is open, so the session's COMMIT and the pool's reset cost no round trip either.
    """
    pgconn = dbapi_connection.pgconn
    if pgconn.transaction_status != TransactionStatus.IDLE or dbapi_connection.autocommit:
        return
    if _has_input(pgconn):
        raise InvalidatePoolError("the server ended this pooled connection")
    dbapi_connection.autocommit = True
    record.info[_OUTSIDE_TRANSACTION] = True


def _has_input(pgconn) -> bool:
    """Whether the server sent anything to an idle connection, or closed it (without waiting)."""
    try:
        socket = pgconn.socket
    except psycopg.OperationalError:  # libpq already knows the connection is gone
        return True
    poller = select.poll()  # unlike select.select, not limited to descriptors below 1024
    poller.register(socket, select.POLLIN)
    return bool(poller.poll(0))


def back_in_transactions(dbapi_connection, record) -> None:
    """Return a connection checked out by checkout_outside_transaction to transactions."""
    if dbapi_connection.pgconn.transaction_status == TransactionStatus.IDLE:
        dbapi_connection.autocommit = False
    else:  # a statement opened a transaction of its own: nothing of it may reach the pool
        record.invalidate()


def configure_engine(engine: sa.Engine, *, lock_timeout_ms: int = LOCK_TIMEOUT_MS) -> sa.Engine:
    """Apply the settings of the engine's dialect; other dialects are left as they are."""
    if engine.dialect.name == "sqlite":
        configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        configure_postgresql(engine, lock_timeout_ms=lock_timeout_ms)
    return engine
