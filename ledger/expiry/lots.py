"""The lot keeper: the journal hands it every entry that touches an account keeping lots.

It runs inside the write, after the journal changed (and so row-locked) the accounts' balance
rows, so concurrent spends and the sweep take lots one after another, never the same points twice:
- points out (a spend posted or held): taken from lots soonest-expiring first (FIFO); a reversal
  takes first from the lots its original entry made; an expiry only from lots already expired;
- points in (posted, or a held award vesting): a reversal of a spend, a refund of a sale and a
  released hold put back what their entry drew, latest-expiring lot first; points passed on from
  another lot-keeping account (a gift) keep the dates of the lots they came from; anything else
  starts a new lot, expiring the community's months after now.
Only points have lots: minutes never expire.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.journal import LotChange, PostingDraft
from ledger.core.models import Account, AccountBalance, Community, Entry

from . import errors
from .models import ExpirySettings, LotDraw, PointLot

_lots = PointLot.__table__
_draws = LotDraw.__table__
# Lots are changed by statements alone, never loaded as objects: nothing in the session to sync.
DRAWING = ("post", "hold")  # transitions that take points out of a lot
CREDITING = ("post", "capture")  # transitions that bring points in


@dataclass(frozen=True)
class Slice:
    """Points taken from one lot, with that lot's dates (a gift hands them on)."""

    lot_id: int
    points: int
    earned_at: datetime
    expires_at: datetime


def add_months(at: datetime, months: int, timezone: str) -> datetime:
    """``months`` calendar months after ``at`` in the community's time zone (the 31st of a short
    month is its last day), as UTC."""
    local = at.astimezone(ZoneInfo(timezone))
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(at.tzinfo)


def keep_lots(session: Session, changes: list[LotChange], now: datetime) -> None:
    """The journal's ``LotKeeper``: follow each entry's points through the lots."""
    for change in changes:
        for posting in change.postings:
            if posting.unit == "points":
                _follow(session, change, posting, now)


def _follow(session: Session, change: LotChange, posting: PostingDraft, now: datetime) -> None:
    taken: list[Slice] = []
    source, target = posting.from_account_id, posting.to_account_id
    if source in change.keeping and change.transition in DRAWING:
        taken = _draw(session, change, source, posting.amount, now)
    elif source in change.keeping and change.transition == "release":
        left = _restore(session, source, posting.amount, [change.entry_id])
        _new_lots(session, source, change.entry_id, left, [], now)
    if target in change.keeping and change.transition in CREDITING:
        left = _restore(session, target, posting.amount, _restoring_entries(session, change))
        _new_lots(session, target, change.entry_id, left, taken, now)


# Drawing ---------------------------------------------------------------------------------------
def _open_lots(session: Session, account_id: str, *, first_from: str | None):
    """The account's lots with points left, in the order a spend takes them: soonest to expire
    first, the lots ``first_from`` made before all others (a reversal undoes its own)."""
    query = (
        sa.select(
            _lots.c.id,
            _lots.c.source_entry_id,
            _lots.c.remaining_points,
            _lots.c.earned_at,
            _lots.c.expires_at,
        )
        .where(_lots.c.account_id == account_id, _lots.c.remaining_points > 0)
        .order_by(_lots.c.expires_at, _lots.c.id)
    )
    rows = list(session.execute(query))
    if first_from is not None:
        rows.sort(key=lambda row: row.source_entry_id != first_from)  # stable: FIFO within
    return rows


def _draw(
    session: Session, change: LotChange, account_id: str, amount: int, now: datetime
) -> list[Slice]:
    """Take ``amount`` from the account's lots and record what came from which."""
    taken: list[Slice] = []
    left = amount
    for row in _open_lots(session, account_id, first_from=change.reverses_id):
        if left == 0:
            break
        if change.kind == "expiry" and row.expires_at > now:
            break  # an expiry takes only what has expired; see the check below
        points = min(left, row.remaining_points)
        taken.append(Slice(row.id, points, row.earned_at, row.expires_at))
        left -= points
    if left and change.kind == "expiry":
        raise errors.LotsChanged(account=account_id, requested=amount, expired=amount - left)
    if left:
        raise RuntimeError(f"the lots of account {account_id} are {left} points short")
    for piece in taken:
        session.execute(
            sa.update(PointLot)
            .where(_lots.c.id == piece.lot_id)
            .values(remaining_points=_lots.c.remaining_points - piece.points)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        sa.insert(LotDraw),
        [{"entry_id": change.entry_id, "lot_id": p.lot_id, "points": p.points} for p in taken],
    )
    return taken


# Putting back ----------------------------------------------------------------------------------
def _restoring_entries(session: Session, change: LotChange) -> list[str]:
    """The entries whose draws these incoming points put back: a reversal's original, and a
    refund's sale (the redemption entries of the same cause)."""
    if change.reverses_id is not None:
        return [change.reverses_id]
    if change.kind == "refund" and change.cause_id is not None:
        return list(
            session.scalars(
                sa.select(Entry.id).where(
                    Entry.cause_id == change.cause_id, Entry.kind == "redemption"
                )
            )
        )
    return []


def _restore(session: Session, account_id: str, amount: int, entry_ids: list[str]) -> int:
    """Put up to ``amount`` back into the lots the entries drew on; returns what is left over."""
    if not entry_ids or amount == 0:
        return amount
    rows = session.execute(
        sa.select(_draws.c.id, _draws.c.lot_id, _draws.c.points, _draws.c.restored_points)
        .join(_lots, _lots.c.id == _draws.c.lot_id)
        .where(
            _draws.c.entry_id.in_(entry_ids),
            _lots.c.account_id == account_id,
            _draws.c.restored_points < _draws.c.points,
        )
        .order_by(_lots.c.expires_at.desc(), _lots.c.id.desc())
    ).all()
    left = amount
    for row in rows:
        points = min(left, row.points - row.restored_points)
        if points == 0:
            break
        session.execute(
            sa.update(LotDraw)
            .where(_draws.c.id == row.id)
            .values(restored_points=_draws.c.restored_points + points)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            sa.update(PointLot)
            .where(_lots.c.id == row.lot_id)
            .values(remaining_points=_lots.c.remaining_points + points)
            .execution_options(synchronize_session=False)
        )
        left -= points
    return left


def _new_lots(
    session: Session,
    account_id: str,
    entry_id: str,
    amount: int,
    handed_on: list[Slice],
    now: datetime,
) -> None:
    """Lots for ``amount`` new points: with the dates of the slices handed on first, then one
    starting now."""
    rows = []
    for piece in handed_on:
        if amount == 0:
            break
        points = min(amount, piece.points)
        rows.append((points, piece.earned_at, piece.expires_at))
        amount -= points
    if amount:
        rows.append((amount, now, _expiry_of(session, account_id, now)))
    if rows:
        session.execute(
            sa.insert(PointLot),
            [
                {
                    "account_id": account_id,
                    "source_entry_id": entry_id,
                    "earned_at": earned_at,
                    "expires_at": expires_at,
                    "amount_points": points,
                    "remaining_points": points,
                }
                for points, earned_at, expires_at in rows
            ],
        )


def _expiry_of(session: Session, account_id: str, now: datetime) -> datetime:
    """When points the account earns now expire, by its community's setting."""
    row = session.execute(
        sa.select(Community.timezone, ExpirySettings.months)
        .join(Account, Account.community_id == Community.id)
        .outerjoin(ExpirySettings, ExpirySettings.community_id == Community.id)
        .where(Account.id == account_id)
    ).one()
    if row.months is None:
        raise RuntimeError(f"account {account_id} keeps lots but its points do not expire")
    return add_months(now, row.months, row.timezone)


# Checking --------------------------------------------------------------------------------------
def lots_out_of_step(session: Session) -> list[tuple[str, int, int]]:
    """(account, points left in its lots, posted less held) of every lot-keeping account whose
    lots do not add up to its balance: ``pointsbank verify`` reports them."""
    left = (
        sa.select(_lots.c.account_id, sa.func.sum(_lots.c.remaining_points).label("points"))
        .group_by(_lots.c.account_id)
        .subquery()
    )
    balance = sa.func.sum(AccountBalance.posted - AccountBalance.pending_out)
    rows = session.execute(
        sa.select(Account.id, sa.func.coalesce(sa.func.max(left.c.points), 0), balance)
        .join(AccountBalance, AccountBalance.account_id == Account.id)
        .outerjoin(left, left.c.account_id == Account.id)
        .where(Account.keeps_lots)
        .group_by(Account.id)
        .having(sa.func.coalesce(sa.func.max(left.c.points), 0) != balance)
        .order_by(Account.id)
    )
    return [(account, int(points), int(available)) for account, points, available in rows]
