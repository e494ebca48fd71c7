"""Database error states the edge treats specially (PostgreSQL SQLSTATE codes)."""

# No request waits longer than this on a row lock (PostgreSQL); set per connection.
LOCK_TIMEOUT_MS = 10_000
LOCK_NOT_AVAILABLE = "55P03"
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
UNIQUE_VIOLATION = "23505"
RETRYABLE_SQLSTATES = {SERIALIZATION_FAILURE, DEADLOCK_DETECTED, LOCK_NOT_AVAILABLE}


def sqlstate(exc) -> str | None:
    """The SQLSTATE of a DBAPI error wrapped by SQLAlchemy (None on SQLite)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None)


def is_lock_timeout(exc) -> bool:
    return sqlstate(exc) == LOCK_NOT_AVAILABLE
