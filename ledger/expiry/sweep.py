"""The sweep's expiry job: points still unspent in lots past their expiry go to the love bank.

Per member, one balanced "expiry" entry (her points account -> the community's points love
bank) of exactly what her expired lots still hold, naming those lots; the lot keeper takes it
from them alone, after ``post_entry`` locked her balance row. A spend committed between the read
of the lots and that lock leaves them short: the entry is refused (``LotsChanged``), rolled back
to its savepoint, and the member's lots are read again. So an expiry never crosses a floor (a lot
holds only points the balance has) and never takes a point twice (a lot it emptied has nothing
left for the next sweep).
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors as core_errors
from ledger.core.communities import system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import Account

from . import errors
from .models import PointLot

# Reads of a member's lots before the sweep leaves her to the next run (spends kept winning).
MAX_TRIES = 3
EXPIRY_MEMO = "积分到期转入爱心银行"


def _expired(session: Session, now: datetime, account_id: str | None = None):
    """{account id: (community id, [lot ids], points)} of lots expired and not yet spent."""
    query = (
        sa.select(
            Account.id, Account.community_id, PointLot.id.label("lot"), PointLot.remaining_points
        )
        .join(Account, Account.id == PointLot.account_id)
        .where(
            Account.keeps_lots,
            PointLot.remaining_points > 0,
            PointLot.expires_at <= now,
        )
        .order_by(Account.id, PointLot.expires_at, PointLot.id)
    )
    if account_id is not None:
        query = query.where(Account.id == account_id)
    found: dict[str, tuple[str, list[int], int]] = {}
    for row in session.execute(query):
        community_id, lots, points = found.get(row.id, (row.community_id, [], 0))
        found[row.id] = (community_id, [*lots, row.lot], points + row.remaining_points)
    return found


def _expire(session: Session, account_id: str, community_id: str, lots, points, now) -> None:
    love_bank = system_account(session, community_id, "love_bank", "points")
    post_entry(
        session,
        EntryDraft(
            community_id=community_id,
            kind="expiry",
            postings=[PostingDraft(account_id, love_bank.id, "points", points)],
            memo=EXPIRY_MEMO,
            details={"lots": lots, "points": points},
        ),
        now=now,
    )


def expire_due(session: Session, now: datetime) -> int:
    """Expire what has fallen due; returns how many members' points expired."""
    handled = 0
    for account_id, (community_id, lots, points) in _expired(session, now).items():
        for _ in range(MAX_TRIES):
            try:
                with session.begin_nested():
                    _expire(session, account_id, community_id, lots, points, now)
                handled += 1
                break
            except (errors.LotsChanged, core_errors.InsufficientBalance):
                again = _expired(session, now, account_id).get(account_id)
                if again is None:
                    break
                community_id, lots, points = again
    return handled
