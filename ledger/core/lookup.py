"""Finding one row by key, or raising the rule's own not-found error (written once here).

``get_or_raise`` reads through the identity map (``Session.get``); ``lock_or_raise`` runs a
``SELECT ... FOR UPDATE`` the caller built and re-reads the row, so what it returns is the row as
it stands once the lock is held, whatever the session had read before.
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


def lock_or_raise(session: Session, locking_query: Select, error: type[NotFound], **numbers):
    """The one row ``locking_query`` (already ``FOR UPDATE``) finds, read afresh, or the error."""
    row = session.scalar(locking_query.execution_options(populate_existing=True))
    if row is None:
        raise error(**numbers)
    return row
