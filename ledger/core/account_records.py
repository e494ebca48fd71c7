"""An account read as a plain record, for reads that only show it (the balance read).

Loading an ORM ``Account`` builds, tracks and at the end of the request expunges an instance;
a read that only shows the account and its balance needs none of that: ``balances.read_standing``
reads the record and the balance in one statement. Writes, and reads that go on to look the
account up again (the statement), keep loading ``Account`` by ``get_account``.
"""

from dataclasses import dataclass


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
