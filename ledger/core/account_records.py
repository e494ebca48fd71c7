"""An account read as a plain record, for reads that only show it (the balance read).

Loading an ORM ``Account`` builds, tracks and at the end of the request expunges an instance;
a read that only shows the account and its balance needs none of that, and a record built from
one row of a statement written once costs about half as much. Writes, and reads that go on to
look the account up again (the statement), keep loading ``Account`` by ``get_account``.
"""

from dataclasses import dataclass, fields

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import errors
from .models import Account


@dataclass(frozen=True)
class AccountRecord:
    """The columns of an account a read shows or authorises by, as read."""

    id: str
    community_id: str
    owner_id: str
    kind: str
    unit: str
    floor: int | None
    status: str
    keeps_lots: bool


_ACCOUNTS = Account.__table__
_RECORD_BY_ID = sa.select(*(_ACCOUNTS.c[f.name] for f in fields(AccountRecord))).where(
    _ACCOUNTS.c.id == sa.bindparam("account_id")
)


def read_account(session: Session, account_id: str) -> AccountRecord:
    """The account as a record, or AccountNotFound."""
    # A Core statement is not the ORM's, so the session would not flush on its own: flush as an
    # ORM query would, so that an account added in this session is found.
    if session.autoflush:
        session.flush()
    row = session.execute(_RECORD_BY_ID, {"account_id": account_id}).one_or_none()
    if row is None:
        raise errors.AccountNotFound(account=account_id)
    return AccountRecord(*row)
