"""What gatherings report: counts per month, and the names of their awards on a statement.

Months are the community's local calendar months, by the gathering's start. Attendance counts
every sign-in; decisions carried out are those whose feedback says so.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.models import Community

from . import errors
from .models import Gathering, GatheringAttendance, GatheringTopic

MAX_REPORT_SPAN = timedelta(days=3 * 366)  # three years of months in one answer


@dataclass
class MonthFigures:
    month: str  # YYYY-MM
    gatherings: int = 0
    meetings: int = 0
    attendance: int = 0
    decisions: int = 0
    decisions_carried_out: int = 0


@dataclass(frozen=True)
class AwardTitle:
    title: str
    on: date  # the gathering's local date


def _month(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m")


def _counts(session: Session, ids: list[str], column, where=None) -> dict[str, int]:
    if not ids:
        return {}
    query = sa.select(column, sa.func.count()).where(column.in_(ids)).group_by(column)
    if where is not None:
        query = query.where(where)
    return dict(session.execute(query).all())


def monthly(
    session: Session, community: Community, *, since: datetime, until: datetime
) -> list[MonthFigures]:
    """Per local month with a gathering starting in [since, until): how many gatherings (and of
    them meetings), sign-ins, decisions, and decisions carried out."""
    if not since < until <= since + MAX_REPORT_SPAN:
        raise errors.ReportSpanInvalid(
            since=since.isoformat(), until=until.isoformat(), max_days=MAX_REPORT_SPAN.days
        )
    zone = ZoneInfo(community.timezone)
    gatherings = session.execute(
        sa.select(Gathering.id, Gathering.kind, Gathering.starts_at)
        .where(
            Gathering.community_id == community.id,
            Gathering.starts_at >= since,
            Gathering.starts_at < until,
        )
        .order_by(Gathering.starts_at)
    ).all()
    ids = [g.id for g in gatherings]
    attended = _counts(session, ids, GatheringAttendance.gathering_id)
    decided = _counts(
        session, ids, GatheringTopic.gathering_id, GatheringTopic.decision.is_not(None)
    )
    done = _counts(session, ids, GatheringTopic.gathering_id, GatheringTopic.carried_out)
    months: dict[str, MonthFigures] = {}
    for row in gatherings:
        figures = months.setdefault(
            _month(row.starts_at, zone), MonthFigures(_month(row.starts_at, zone))
        )
        figures.gatherings += 1
        figures.meetings += row.kind == "meeting"
        figures.attendance += attended.get(row.id, 0)
        figures.decisions += decided.get(row.id, 0)
        figures.decisions_carried_out += done.get(row.id, 0)
    return list(months.values())


def award_titles(session: Session, event_ids) -> dict[str, AwardTitle]:
    """{earn event id: (its gathering's title, local date)} for the events gatherings awarded.

    A statement names an award by what caused it: for a gathering's, "参加星空夜话" on its date.
    """
    if not event_ids:
        return {}
    rows = session.execute(
        sa.select(
            GatheringAttendance.event_id, Gathering.title, Gathering.starts_at, Community.timezone
        )
        .join(Gathering, Gathering.id == GatheringAttendance.gathering_id)
        .join(Community, Community.id == Gathering.community_id)
        .where(GatheringAttendance.event_id.in_(list(event_ids)))
    ).all()
    return {
        row.event_id: AwardTitle(row.title, row.starts_at.astimezone(ZoneInfo(row.timezone)).date())
        for row in rows
    }
