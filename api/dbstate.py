"""Database error states the edge treats specially (PostgreSQL SQLSTATE codes)."""

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# No request waits longer than this on a row lock (PostgreSQL); set per connection by the
# engine's connect hook, whose constant this is.
from ledger.core.engine import LOCK_TIMEOUT_MS as LOCK_TIMEOUT_MS

LOCK_NOT_AVAILABLE = "55P03"
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
UNIQUE_VIOLATION = "23505"
RETRYABLE_SQLSTATES = {SERIALIZATION_FAILURE, DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE}
# Class 08 is "connection exception"; 57P01-57P03 are the server shutting down, crashing or
# still starting up (admin_shutdown, crash_shutdown, cannot_connect_now).
CONNECTION_EXCEPTION_CLASS = "08"
SERVER_GOING_AWAY_SQLSTATES = {"57P01", "57P02", "57P03"}


def sqlstate(exc) -> str | None:
    """The SQLSTATE of a DBAPI error wrapped by SQLAlchemy (None on SQLite)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def is_lock_timeout(exc) -> bool:
    return sqlstate(exc) == LOCK_NOT_AVAILABLE


def is_connection_lost(exc) -> bool:
    """Whether the database could not be reached or the connection broke (a restart, a crash).

    SQLAlchemy marks a broken connection as invalidated; a connection that could not even be
    opened (refused, server starting up) is an OperationalError with one of the going-away
    states, or a psycopg error with no SQLSTATE at all (raised by the client, not the server).
    SQLite's errors carry no ``sqlstate`` attribute and never count: it has no connection to lose.
    """
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = sqlstate(exc)
    if state is None:
        raised_by_client = hasattr(exc.orig, "sqlstate")
        return raised_by_client and isinstance(exc, (OperationalError, InterfaceError))
    return state.startswith(CONNECTION_EXCEPTION_CLASS) or state in SERVER_GOING_AWAY_SQLSTATES
