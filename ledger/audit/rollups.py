"""Daily rollups of the community report: each local day's flows, summed once it is final.

A month's report grouped every posting of the month, a second and more for a million. Instead
the ``roll_up_days`` job of ``pointsbank sweep`` sums each community's local days as they end
(``flows.flows_select`` over the day, the same grouping the report uses) into
``journal_day_sums``, marking each in ``journal_days``; :func:`window_flows` then adds up the
rolled days inside a window and scans only the rest of it (the window's ragged ends, and the
days not rolled up yet), so its answer is the full scan's.

When a day is final: an entry's ``posted_at`` is the clock of the request that posts it, read
as the request starts, and the request commits within the service's request timeout (45 s), so
``ROLLUP_DELAY`` after a day ends nothing can post into it any more, as long as the hosts'
clocks agree to within that. ``pointsbank verify`` checks every rolled day against its postings
(:func:`days_out_of_step`), so a rollup that missed an entry is reported, not trusted.

Days are rolled in order from the local day of a community's first posting, every day marked
even when nothing was posted, so the rolled days of a community are one unbroken run. Two
sweeps at once: the second's insert of a day's mark meets the first's and it leaves the
community to the next run.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.core.clock import as_utc, local_day
from ledger.core.models import Community, Entry

from .flows import WindowSum, flows_select, merged, posted_between
from .models import JournalDay, JournalDaySum

# The request timeout many times over, with room for the hosts' clocks to differ by minutes.
ROLLUP_DELAY = timedelta(hours=1)
# Per community per run: a long journal's first rollups (a new deployment) take several sweeps,
# each transaction bounded to two months of one community.
MAX_DAYS_PER_RUN = 62

_days = JournalDay.__table__
_sums = JournalDaySum.__table__
# Every column but the generated id, in the order of a day's labelled flows (see roll_up_day).
_SUM_COLUMNS = tuple(column.name for column in _sums.c if column.name != "id")


@dataclass(frozen=True)
class _Due:
    community_id: str
    timezone: str
    next_start: datetime  # the first day not rolled up yet starts here


def _due(session: Session, now: datetime) -> list[_Due]:
    """Communities with a day that ended ``ROLLUP_DELAY`` ago or more and is not rolled up."""
    last_end = (
        sa.select(sa.func.max(JournalDay.ends_at))
        .where(JournalDay.community_id == Community.id)
        .scalar_subquery()
    )
    first_posted = (
        sa.select(sa.func.min(Entry.posted_at))
        .where(Entry.community_id == Community.id)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(Community.id, Community.timezone, last_end, first_posted).order_by(Community.id)
    ).all()
    due = []
    for community_id, timezone, ended, first in rows:
        if ended is not None:
            start = as_utc(ended)
        elif first is not None:
            start = local_day(as_utc(first), timezone)[0]
        else:
            continue  # nothing posted yet
        if local_day(start, timezone)[1] + ROLLUP_DELAY <= now:
            due.append(_Due(community_id, timezone, start))
    return due


def roll_up_day(session: Session, community_id: str, starts_at, ends_at, *, now) -> bool:
    """Sum one day's flows and mark it rolled; False if another sweep marked it first."""
    try:
        with session.begin_nested():
            session.execute(
                sa.insert(_days).values(
                    community_id=community_id, starts_at=starts_at, ends_at=ends_at, rolled_at=now
                )
            )
    except IntegrityError:
        return False
    day = sa.and_(Entry.community_id == community_id, posted_between(starts_at, ends_at))
    flows = flows_select(day).subquery()
    labelled = sa.select(
        sa.literal(community_id, sa.String),
        sa.literal(starts_at, JournalDay.starts_at.type),
        *flows.c,
    )
    session.execute(sa.insert(_sums).from_select(_SUM_COLUMNS, labelled))
    return True


def roll_up_days(session: Session, now: datetime) -> int:
    """The sweep job: roll up every community's final days, up to MAX_DAYS_PER_RUN each."""
    rolled = 0
    for due in _due(session, now):
        start = due.next_start
        for _ in range(MAX_DAYS_PER_RUN):
            _, end = local_day(start, due.timezone)
            if end + ROLLUP_DELAY > now:
                break
            if not roll_up_day(session, due.community_id, start, end, now=now):
                break  # another sweep is rolling this community up
            rolled += 1
            start = end
    return rolled


# Reading a window ------------------------------------------------------------------------------
def _inside(community_id: str, from_, to):
    """Rolled days of the community that lie wholly inside ``[from_, to)``."""
    conditions = [JournalDay.community_id == community_id]
    if from_ is not None:
        conditions.append(JournalDay.starts_at >= from_)
    if to is not None:
        conditions.append(JournalDay.ends_at <= to)
    return sa.and_(*conditions)


def _gaps(from_, to, days: list[tuple[datetime, datetime]]):
    """The parts of ``[from_, to)`` outside ``days`` (sorted, inside it), as (start, end) pairs;
    None is an open end."""
    gaps, cursor = [], from_
    for start, end in days:
        if cursor is None or cursor < start:
            gaps.append((cursor, start))
        cursor = end
    if to is None or cursor is None or cursor < to:
        gaps.append((cursor, to))
    return gaps


def window_flows(session: Session, community_id: str, from_, to) -> list[WindowSum]:
    """The community's flows in ``[from_, to)``: rolled days summed, the rest scanned."""
    inside = _inside(community_id, from_, to)
    days = [
        (as_utc(start), as_utc(end))
        for start, end in session.execute(
            sa.select(JournalDay.starts_at, JournalDay.ends_at)
            .where(inside)
            .order_by(JournalDay.starts_at)
        )
    ]
    gaps = _gaps(from_, to, days)
    parts = [_summed(session, inside)] if days else []
    if gaps:
        scanned = sa.or_(*(posted_between(start, end) for start, end in gaps))
        parts.append(_scanned(session, sa.and_(Entry.community_id == community_id, scanned)))
    return merged(*parts)


def _scanned(session: Session, condition) -> list[WindowSum]:
    return [
        WindowSum._make((*row[:-1], int(row[-1])))
        for row in session.execute(flows_select(condition))
    ]


_SUM_GROUP = (
    JournalDaySum.from_account_id,
    JournalDaySum.to_account_id,
    JournalDaySum.kind,
    JournalDaySum.unit,
    JournalDaySum.activity,
    JournalDaySum.category,
)
_SUMS_OF_DAY = sa.and_(
    JournalDay.community_id == JournalDaySum.community_id,
    JournalDay.starts_at == JournalDaySum.starts_at,
)


def _summed(session: Session, inside) -> list[WindowSum]:
    """The sums of the rolled days meeting ``inside``, grouped as a scan groups them."""
    rows = session.execute(
        sa.select(*_SUM_GROUP, sa.func.sum(JournalDaySum.amount))
        .join(JournalDay, _SUMS_OF_DAY)
        .where(inside)
        .group_by(*_SUM_GROUP)
    )
    return [WindowSum._make((*row[:-1], int(row[-1]))) for row in rows]


# Checking them ---------------------------------------------------------------------------------
def _compared(session: Session, recomputed, stored) -> set[tuple]:
    """The groups (every column but the amount) whose recomputed and stored amounts differ."""
    groups: dict[tuple, list[int]] = {}
    for side, query in enumerate((recomputed, stored)):
        for *key, amount in session.execute(query):
            groups.setdefault(tuple(key), [0, 0])[side] += int(amount)
    return {key for key, (real, summed) in groups.items() if real != summed}


def _stored(*by) -> sa.Select:
    return sa.select(*by, *_SUM_GROUP, JournalDaySum.amount).join(JournalDay, _SUMS_OF_DAY)


def days_out_of_step(session: Session) -> list[tuple[str, datetime | None]]:
    """(community id, day start) of every rolled day whose sums differ from its postings now.

    Each community's rolled days run unbroken, so they are one range of ``posted_at``: its
    flows are read by the report's own grouped scan of that range and compared with the sums
    of its days; only a community whose range differs is then compared day by day.
    (community id, None): its range differs but no single day does, so its rolled days are not
    one unbroken run.
    """
    runs = session.execute(
        sa.select(
            JournalDay.community_id,
            sa.func.min(JournalDay.starts_at),
            sa.func.max(JournalDay.ends_at),
        )
        .group_by(JournalDay.community_id)
        .order_by(JournalDay.community_id)
    ).all()
    found: list[tuple[str, datetime | None]] = []
    for community_id, starts_at, ends_at in runs:
        scanned = sa.and_(
            Entry.community_id == community_id, posted_between(as_utc(starts_at), as_utc(ends_at))
        )
        stored = _stored().where(JournalDaySum.community_id == community_id)
        if _compared(session, flows_select(scanned), stored):
            found += _days_out_of_step(session, community_id) or [(community_id, None)]
    return found


def _days_out_of_step(session: Session, community_id: str) -> list[tuple[str, datetime | None]]:
    of_day = sa.and_(
        JournalDay.community_id == community_id,
        Entry.community_id == community_id,
        Entry.posted_at >= JournalDay.starts_at,
        Entry.posted_at < JournalDay.ends_at,
        Entry.status == "posted",
    )
    recomputed = flows_select(sa.true(), by=(JournalDay.starts_at,)).join(JournalDay, of_day)
    stored = _stored(JournalDaySum.starts_at).where(JournalDaySum.community_id == community_id)
    differing = _compared(session, recomputed, stored)
    return [(community_id, as_utc(start)) for start in sorted({key[0] for key in differing})]
