"""A read's transaction ends with COMMIT, so that the connection keeps its prepared statements.

psycopg forgets every statement it prepared on a connection whenever that connection rolls
back (it cannot tell what the rollback undid), and PostgreSQL then parses and plans each query
afresh. A successful read used to end that way, with the session's ROLLBACK at teardown: a
balance read cost the database about four times its execution in planning. A transaction that
wrote nothing ends the same under COMMIT, for the same round trip, and flushes no WAL.

Only a request with a safe method that succeeded is committed, and only while its session holds
no unflushed change: a safe method never writes (see :func:`reads_only`), and anything that
failed still rolls back.

A read that needs no transaction (a view marked :func:`without_transaction`) runs in autocommit
on PostgreSQL (ledger/core/engine.py): a balance read costs one round trip instead of three
(BEGIN, its statement, COMMIT), and its COMMIT here sends nothing. Under READ COMMITTED each
statement of a transaction sees a snapshot of its own anyway, so such a read answers the same;
SQLite, whose read transaction is one snapshot, keeps it.
"""

import logging
from typing import cast

from flask import Response, current_app, has_request_context, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session

from api.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FIRST_FAILED_STATUS = 400

log = logging.getLogger(__name__)


def reads_only() -> bool:
    """A request with a safe method (GET, HEAD, OPTIONS) never writes: under SQLite's WAL its
    deferred transaction does not hold writers back."""
    return has_request_context() and request.method in SAFE_METHODS


WITHOUT_TRANSACTION = "pointsbank_read_without_transaction"


def without_transaction(view):
    """Mark a view that only reads, with no lock and no setting that lives in a transaction:
    its safe requests run outside one on PostgreSQL. Put it under the route's other decorators,
    which copy the mark onto their wrappers."""
    setattr(view, WITHOUT_TRANSACTION, True)
    return view


def outside_transaction() -> bool:
    """A safe request to a view marked without_transaction is being served."""
    if not reads_only() or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, WITHOUT_TRANSACTION, False)


def release_connection_read_outside_transaction(_error=None) -> None:
    """teardown_request: a read outside a transaction gives its connection back to the pool,
    back in transactions, with its request (whatever it answered), even when the session
    outlives the request (a request served inside an app context of its caller's)."""
    if outside_transaction():
        db.session.close()


def end_read_with_commit(response: Response) -> Response:
    """after_request: COMMIT the transaction of a successful read instead of rolling it back."""
    if not reads_only() or response.status_code >= FIRST_FAILED_STATUS:
        return response
    scoped = cast("scoped_session[Session]", db.session)  # Flask-SQLAlchemy's, typed as a Session
    if not scoped.registry.has():  # the request never used the database
        return response
    session = scoped()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return response
    try:
        session.commit()
    except SQLAlchemyError:
        # The answer was read in full already; a connection lost now costs only the commit.
        log.warning("the commit after a read failed; rolled back", exc_info=True)
        session.rollback()
    return response
