"""Finding one row, or raising the rule's own not-found error (the pattern is written here once).

``get_or_raise`` reads by primary key through the identity map (``Session.get``); ``one_or_raise``
runs a query the caller built (by another unique key); ``lock_or_raise`` runs a ``SELECT ... FOR
UPDATE`` the caller built and re-reads the row, so what it returns is the row as it stands once
the lock is held, whatever the session had read before.
"""

from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from .errors import NotFound

Row = TypeVar("Row")


def get_or_raise(session: Session, model: type[Row], key, error: type[NotFound], **numbers) -> Row:
    """The ``model`` row with primary key ``key``, or ``error(**numbers)`` when there is none."""
    row = session.get(model, key)
    if row is None:
        raise error(**numbers)
    return row


def one_or_raise(session: Session, query: Select, error: type[NotFound], **numbers):
    """The one row ``query`` finds, or ``error(**numbers)`` when it finds none."""
    row = session.scalar(query)
    if row is None:
        raise error(**numbers)
    return row


def lock_or_raise(session: Session, locking_query: Select, error: type[NotFound], **numbers):
    """The one row ``locking_query`` (already ``FOR UPDATE``) finds, read afresh, or the error."""
    query = locking_query.execution_options(populate_existing=True)
    return one_or_raise(session, query, error, **numbers)
