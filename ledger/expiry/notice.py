"""What a member is told ahead of expiry: "N points expire on DATE", ``WARNING_DAYS`` ahead.

Read from the lots, with the community's time zone, in one query beside the balance and the
statement (none for an account that keeps no lots). DATE is the day, in the community's time
zone, on which the lot expires; lots expiring the same day are summed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import balances
from ledger.core.account_records import AccountRecord
from ledger.core.balances import AccountStanding, AccountStatement
from ledger.core.models import Account, Community

from .models import PointLot
from .settings import WARNING_DAYS


@dataclass(frozen=True)
class Expiring:
    points: int
    expires_on: date
    expires_at: datetime


# The community's time zone and the account's lots that expire by ``until``, in one statement
# built once: one row with no lot when none expires by then.
_ZONE_AND_LOTS = (
    sa.select(Community.timezone, PointLot.expires_at, PointLot.remaining_points)
    .outerjoin(
        PointLot,
        sa.and_(
            PointLot.account_id == sa.bindparam("account_id"),
            PointLot.remaining_points > 0,
            PointLot.expires_at <= sa.bindparam("until"),
        ),
    )
    .where(Community.id == sa.bindparam("community_id"))
    .order_by(PointLot.expires_at)
)


def expiring(
    session: Session, account: Account | AccountRecord, *, now: datetime
) -> list[Expiring]:
    """The account's points that expire within ``WARNING_DAYS``, by day, soonest first.

    An account that keeps no lots (its community's points never expire) costs no query.
    """
    if not account.keeps_lots:
        return []
    params = {
        "account_id": account.id,
        "community_id": account.community_id,
        "until": now + timedelta(days=WARNING_DAYS),
    }
    rows = session.execute(_ZONE_AND_LOTS, params).all()
    zone = ZoneInfo(rows[0].timezone)
    by_day: dict[date, Expiring] = {}
    for row in rows:
        if row.expires_at is None:
            continue
        day = row.expires_at.astimezone(zone).date()
        before = by_day.get(day)
        points = row.remaining_points + (before.points if before else 0)
        by_day[day] = Expiring(points, day, before.expires_at if before else row.expires_at)
    return list(by_day.values())


@dataclass(frozen=True)
class WithExpiring:
    """A balance or statement read, with what of it expires soon; its other attributes are the
    read's own."""

    read: AccountStanding | AccountStatement
    expiring: list[Expiring]

    def __getattr__(self, name: str):
        return getattr(self.read, name)


def with_expiring(session: Session, found: AccountStanding, *, now: datetime) -> WithExpiring:
    """A standing already read, with its account's points expiring soon."""
    return WithExpiring(found, expiring(session, found.account, now=now))


def statement(session: Session, account: Account, *, now: datetime, **page) -> WithExpiring:
    """A page of the account's statement (``balances.account_statement``) and its points
    expiring soon."""
    found = balances.account_statement(session, account, **page)
    return WithExpiring(found, expiring(session, account, now=now))
