"""Switching point expiry on and off for a community, and changing after how many months.

Switching on marks every member's points account as keeping lots (``Account.keeps_lots``) and
gives each a first lot holding its balance at that moment, starting then: nobody loses points
earned before expiry existed sooner than the months after it was switched on. Switching off
stops keeping lots (what is left in them is let go, so switching on again starts afresh from the
balances). Changing the months changes only lots made from then on. Switch it on at a quiet time:
a spend already under way when it is switched on is not taken from the new lots
(``pointsbank verify`` reports such an account).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.models import Account, AccountBalance, Community

from . import errors
from .lots import add_months
from .models import MAX_EXPIRY_MONTHS, ExpirySettings, PointLot

# Members see what expires this many days ahead, on their balance and statement.
WARNING_DAYS = 30


@dataclass(frozen=True)
class ExpiryView:
    community: str
    months: int | None
    warning_days: int
    updated_at: datetime | None


def expiry_settings(session: Session, community: Community) -> ExpiryView:
    found = session.get(ExpirySettings, community.id)
    if found is None:
        return ExpiryView(community.slug, None, WARNING_DAYS, None)
    return ExpiryView(community.slug, found.months, WARNING_DAYS, found.updated_at)


def _member_points_accounts(community_id: str):
    return sa.and_(
        Account.community_id == community_id, Account.kind == "member", Account.unit == "points"
    )


def _start_lots(session: Session, community: Community, *, months: int, now: datetime) -> None:
    """A first lot per member holding her available points, under her balance row's lock."""
    rows = session.execute(
        sa.select(AccountBalance.account_id, AccountBalance.posted, AccountBalance.pending_out)
        .join(Account, Account.id == AccountBalance.account_id)
        .where(_member_points_accounts(community.id))
        .order_by(AccountBalance.account_id)
        .with_for_update(of=AccountBalance)
    ).all()
    expires_at = add_months(now, months, community.timezone)
    lots = [
        {
            "account_id": row.account_id,
            "earned_at": now,
            "expires_at": expires_at,
            "amount_points": row.posted - row.pending_out,
            "remaining_points": row.posted - row.pending_out,
        }
        for row in rows
        if row.posted - row.pending_out > 0
    ]
    if lots:
        session.execute(sa.insert(PointLot), lots)


def _stop_lots(session: Session, community: Community) -> None:
    accounts = sa.select(Account.id).where(_member_points_accounts(community.id))
    session.execute(
        sa.update(PointLot)
        .where(PointLot.account_id.in_(accounts), PointLot.remaining_points > 0)
        .values(remaining_points=0)
    )


def set_expiry(
    session: Session, community: Community, *, months: int | None, now: datetime
) -> ExpiryView:
    """Points of the community expire ``months`` after they were earned (None: never)."""
    if months is not None and not 1 <= months <= MAX_EXPIRY_MONTHS:
        raise errors.ExpiryMonthsOutOfRange(months=months, max_months=MAX_EXPIRY_MONTHS)
    found = session.get(ExpirySettings, community.id, with_for_update=True)
    was_on = found is not None and found.months is not None
    if found is None:
        found = ExpirySettings(community_id=community.id)
        session.add(found)
    found.months, found.updated_at = months, now
    session.flush()
    if months is not None and not was_on:
        _start_lots(session, community, months=months, now=now)
    elif months is None and was_on:
        _stop_lots(session, community)
    if was_on != (months is not None):
        community.points_in_lots = months is not None
        session.execute(
            sa.update(Account)
            .where(_member_points_accounts(community.id))
            .values(keeps_lots=months is not None)
        )
        session.flush()
    return expiry_settings(session, community)
