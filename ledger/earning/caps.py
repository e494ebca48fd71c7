"""Caps: how much of an activity one member may still earn in a day, week, month or year.

Periods are calendar periods in the community's time zone (a week starts on Monday at local
midnight), so a meeting at 23:30 and another at 00:30 Shanghai time fall on different days.
What counts against a cap is every award of the same activity to the same member whose event
occurred in the period and is posted or under public notice; a voided award frees its room.
The count of a cap counts awards that gave at least one point.

Callers hold the member's lock while they read the usage and write the award (see
``earning.lock_members``), so concurrent events cannot both spend the same room.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import bulk
from ledger.core.clock import local_day

from .models import EarningEvent
from .rules import Cap

COUNTING_STATUSES = ("awarded", "pending")


def period_bounds(period: str, at: datetime, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of the calendar ``period`` holding instant ``at``, in ``timezone``."""
    if period == "day":
        return local_day(at, timezone)
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    if period == "week":
        start = datetime(local.year, local.month, local.day, tzinfo=zone) - timedelta(
            days=local.weekday()
        )
        end = start + timedelta(days=7)
    elif period == "month":
        start = datetime(local.year, local.month, 1, tzinfo=zone)
        end = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=zone)
    elif period == "year":
        start = datetime(local.year, 1, 1, tzinfo=zone)
        end = datetime(local.year + 1, 1, 1, tzinfo=zone)
    else:
        raise ValueError(f"unknown period {period!r}")
    # Wall-clock arithmetic above; the instants compared with occurred_at are UTC.
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


@dataclass
class CapStanding:
    """One cap as it stands for one member: its period, its limits and what is used of them."""

    period: str
    start: datetime
    end: datetime
    max_points: int | None
    max_count: int | None
    used_points: int = 0
    count_used: int = 0

    @property
    def remaining_points(self) -> int | None:
        return None if self.max_points is None else max(self.max_points - self.used_points, 0)

    @property
    def count_room(self) -> int | None:
        return None if self.max_count is None else max(self.max_count - self.count_used, 0)

    def view(self) -> dict:
        return {
            "period": self.period,
            "period_start": self.start.isoformat(),
            "period_end": self.end.isoformat(),
            "max_points": self.max_points,
            "max_count": self.max_count,
            "points_used": self.used_points,
            "count_used": self.count_used,
            "points_remaining": self.remaining_points,
            "count_remaining": self.count_room,
        }


class UsageMemo:
    """Cap usage already read within one transaction, kept current as its awards are written.

    A batch judges many events of the same members; reading each period's usage once and then
    adding every award written since keeps the judgement exact without a query per event. An
    award is added to every remembered period of its member and activity that holds it, whatever
    rule version remembered that period.
    """

    def __init__(self):
        self._periods: dict[tuple[str, str], dict[tuple[str, datetime], list]] = {}

    def recall(self, member_id: str, activity: str, standing: "CapStanding") -> bool:
        known = self._periods.get((member_id, activity), {}).get((standing.period, standing.start))
        if known is None:
            return False
        standing.used_points, standing.count_used = known[1], known[2]
        return True

    def learn(self, member_id: str, activity: str, standing: "CapStanding") -> None:
        self._periods.setdefault((member_id, activity), {}).setdefault(
            (standing.period, standing.start),
            [standing.end, standing.used_points, standing.count_used],
        )

    def preload(self, session: Session, needs) -> None:
        """Read the usage of many members at once: one query per (activity, period window).

        ``needs`` yields ``(member_id, activity, period, start, end)``; a batch usually needs
        one window per cap period, however many members it names.
        """
        windows: dict[tuple[str, str, datetime, datetime], set[str]] = {}
        for member_id, activity, period, start, end in needs:
            windows.setdefault((activity, period, start, end), set()).add(member_id)
        dialect_name = session.get_bind().dialect.name
        for (activity, period, start, end), member_ids in windows.items():
            query = _usage_by_member(dialect_name, sorted(member_ids), activity, start, end)
            for member_id, points, count in session.execute(query):
                self._periods.setdefault((member_id, activity), {}).setdefault(
                    (period, start), [end, int(points), int(count)]
                )

    def spend(self, member_id: str, activity: str, at: datetime, points: int) -> None:
        for (_, start), known in self._periods.get((member_id, activity), {}).items():
            if start <= at < known[0]:
                known[1] += points
                known[2] += 1


def _usage_by_member(dialect_name, member_ids, activity, start, end) -> sa.Select:
    """(member id, points, count) counted in [start, end) for each of ``member_ids``: one
    index probe per member (see ``bulk.each_value``), however stale the table's statistics."""
    wanted = bulk.each_value(dialect_name, member_ids)
    counted = (
        EarningEvent.member_id == wanted.c.value,
        EarningEvent.activity == activity,
        EarningEvent.status.in_(COUNTING_STATUSES),
        EarningEvent.occurred_at >= start,
        EarningEvent.occurred_at < end,
    )
    points = sa.func.coalesce(sa.func.sum(EarningEvent.points_awarded), 0)
    return sa.select(
        wanted.c.value,
        sa.select(points).where(*counted).correlate(wanted).scalar_subquery(),
        sa.select(sa.func.count())
        .select_from(EarningEvent)
        .where(*counted)
        .correlate(wanted)
        .scalar_subquery(),
    ).select_from(wanted)


def standings(
    session: Session,
    *,
    member_id: str,
    activity: str,
    caps: Sequence[Cap],
    at: datetime,
    timezone: str,
    memo: UsageMemo | None = None,
) -> list[CapStanding]:
    """Each cap's usage for the period holding ``at``: from ``memo``, or in one query."""
    found = []
    for cap in caps:
        start, end = period_bounds(cap.period, at, timezone)
        found.append(CapStanding(cap.period, start, end, cap.max_points, cap.max_count))
    if not found:
        return found
    # A list, not a generator: every standing must be filled in, not just those before a miss.
    if memo is not None and all([memo.recall(member_id, activity, s) for s in found]):
        return found
    occurred = EarningEvent.occurred_at
    columns = []
    for standing in found:
        inside = sa.and_(occurred >= standing.start, occurred < standing.end)
        columns.append(
            sa.func.coalesce(
                sa.func.sum(sa.case((inside, EarningEvent.points_awarded), else_=0)), 0
            )
        )
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((inside, 1), else_=0)), 0))
    row = session.execute(
        sa.select(*columns).where(
            EarningEvent.member_id == member_id,
            EarningEvent.activity == activity,
            EarningEvent.status.in_(COUNTING_STATUSES),
            occurred >= min(s.start for s in found),
            occurred < max(s.end for s in found),
        )
    ).one()
    for index, standing in enumerate(found):
        standing.used_points = int(row[2 * index])
        standing.count_used = int(row[2 * index + 1])
        if memo is not None:
            memo.learn(member_id, activity, standing)
    return found


@dataclass(frozen=True)
class Judgement:
    points: int
    outcome: str  # "full", "partial" or "refused"
    reason: str
    limited_by: dict | None
    caps: list[dict]


def judge(points_due: int, caps: list[CapStanding]) -> Judgement:
    """Award what is due, cut to the tightest cap; spend the room in ``caps``."""
    points = points_due
    limited_by = None
    for cap in caps:
        if cap.count_room == 0:
            points, limited_by = (
                0,
                {
                    "period": cap.period,
                    "limit": "max_count",
                    "max": cap.max_count,
                    "used": cap.count_used,
                },
            )
            break
        if cap.remaining_points is not None and cap.remaining_points < points:
            points, limited_by = (
                cap.remaining_points,
                {
                    "period": cap.period,
                    "limit": "max_points",
                    "max": cap.max_points,
                    "used": cap.used_points,
                },
            )
    if points_due == 0:
        outcome, reason = "refused", "the quantity earns less than one point"
    # Only a cap cuts the points, and it names itself in limited_by.
    elif points == 0 and limited_by is not None:
        outcome = "refused"
        reason = (
            f"{limited_by['period']} cap reached: {limited_by['used']} of "
            f"{limited_by['max']} {'awards' if limited_by['limit'] == 'max_count' else 'points'}"
            " already used"
        )
    elif points < points_due and limited_by is not None:
        outcome = "partial"
        reason = (
            f"{points} of {points_due} points: the {limited_by['period']} cap of "
            f"{limited_by['max']} points had {points} left"
        )
    else:
        outcome, reason = "full", f"{points} points, within every cap"
    if points > 0:
        for cap in caps:
            cap.used_points += points
            cap.count_used += 1
    return Judgement(points, outcome, reason, limited_by, [cap.view() for cap in caps])
