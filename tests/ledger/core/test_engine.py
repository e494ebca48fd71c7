"""Every engine gets the connection settings the service relies on."""

import pytest
import sqlalchemy as sa

from ledger.core.engine import (
    LOCK_TIMEOUT_MS,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    configure_engine,
    configure_postgresql,
)


def test_sqlite_connections_have_foreign_keys_wal_and_a_busy_timeout(tmp_path):
    """A new SQLite connection enforces foreign keys, journals in WAL and waits for locks."""
    engine = configure_engine(sa.create_engine(f"sqlite:///{tmp_path}/settings.db"))
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_SECONDS * 1000
    engine.dispose()


def test_a_sqlite_transaction_holds_the_write_lock_from_its_begin(tmp_path):
    """BEGIN IMMEDIATE: while a transaction that only read is open, no other writer may begin."""
    engine = configure_engine(sa.create_engine(f"sqlite:///{tmp_path}/locks.db"))
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE neighbours (name TEXT)")
    rival = engine.raw_connection()
    try:
        cursor = rival.cursor()
        cursor.execute("PRAGMA busy_timeout = 0")  # refuse at once instead of waiting
        with engine.begin() as connection:
            connection.exec_driver_sql("SELECT count(*) FROM neighbours")
            with pytest.raises(Exception, match="locked"):
                cursor.execute("BEGIN IMMEDIATE")
        cursor.execute("BEGIN IMMEDIATE")  # free again once the first transaction ended
        cursor.execute("ROLLBACK")
    finally:
        rival.close()
        engine.dispose()


@pytest.mark.postgres
def test_postgresql_connections_bound_every_lock_wait(engine):
    """Each PostgreSQL connection of the ledger's engine carries the lock timeout."""
    with engine.connect() as connection:
        shown = connection.exec_driver_sql("SHOW lock_timeout").scalar()
    assert shown == f"{LOCK_TIMEOUT_MS // 1000}s"


def _transaction_ids(engine: sa.Engine) -> set[int]:
    """The transaction ids of two statements run on one checked-out connection."""
    with engine.connect() as connection:
        ids = {connection.exec_driver_sql("SELECT txid_current()").scalar() for _ in range(2)}
        connection.commit()
    return ids


@pytest.mark.postgres
def test_a_checkout_outside_a_transaction_runs_each_statement_on_its_own(database_url):
    """While the predicate holds, a checked-out connection autocommits; afterwards it no longer does."""
    outside = [True]
    engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
    configure_postgresql(
        engine, lock_timeout_ms=LOCK_TIMEOUT_MS, outside_transaction=lambda: outside[0]
    )
    try:
        assert len(_transaction_ids(engine)) == 2
        outside[0] = False
        assert len(_transaction_ids(engine)) == 1
    finally:
        engine.dispose()
