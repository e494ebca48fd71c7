"""Weekly series for the community report's charts: points issued by activity, week by week.

A week runs Monday 00:00 to Monday 00:00 in the community's local time, as residents count weeks;
each week's bounds are turned into UTC before the journal is read, so a week's figure is exactly
what ``reports.community_report`` would issue over that window (posted awards out of the
community's points issuance account, labelled by activity).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.communities import system_account
from ledger.core.errors import Invalid
from ledger.core.models import Community, Entry, Posting

from .reports import UNLABELLED

DEFAULT_WEEKS = 8
MAX_WEEKS = 26  # half a year: a chart wider than that is no longer readable on a phone
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Week:
    starts_on: date  # the local Monday
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC, exclusive
    issued_by_activity: dict[str, int]

    @property
    def issued(self) -> int:
        return sum(self.issued_by_activity.values())


@dataclass(frozen=True)
class WeeklyIssued:
    weeks: list[Week]

    @property
    def activities(self) -> list[str]:
        """Every activity that issued points in any week, by name."""
        return sorted({a for week in self.weeks for a in week.issued_by_activity})

    @property
    def starts_at(self) -> datetime:
        return self.weeks[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.weeks[-1].ends_at


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants a local week starts and ends at (the zone's offset may change inside)."""
    start = datetime.combine(monday, time(), tzinfo=zone)
    end = datetime.combine(monday + WEEK, time(), tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def _issued_in(session: Session, community_id: str, issuance_id: str, start, end) -> dict:
    activity = Entry.details["activity"].as_string()
    rows = session.execute(
        sa.select(activity, sa.func.sum(Posting.amount))
        .join(Posting, Posting.entry_id == Entry.id)
        .where(
            Entry.community_id == community_id,
            Entry.status == "posted",
            Entry.kind == "award",
            Entry.posted_at >= start,
            Entry.posted_at < end,
            Posting.from_account_id == issuance_id,
        )
        .group_by(activity)
    )
    return {(label or UNLABELLED): int(amount) for label, amount in rows}


def issued_by_week(
    session: Session, community: Community, *, now: datetime, weeks: int = DEFAULT_WEEKS
) -> WeeklyIssued:
    """The last ``weeks`` local weeks up to and including the one ``now`` falls in, oldest first."""
    if type(weeks) is not int or not 1 <= weeks <= MAX_WEEKS:
        raise Invalid("weeks is out of range", weeks=weeks, max_weeks=MAX_WEEKS)
    zone = ZoneInfo(community.timezone)
    this_monday = _monday(now.astimezone(zone).date())
    issuance = system_account(session, community.id, "issuance", "points")
    series = []
    for back in range(weeks - 1, -1, -1):
        monday = this_monday - back * WEEK
        start, end = week_bounds(monday, zone)
        issued = _issued_in(session, community.id, issuance.id, start, end)
        series.append(Week(monday, start, end, issued))
    return WeeklyIssued(series)
