"""Time as an injectable dependency, so tests and the scheduled sweep can move it.

Ledger functions take ``now`` explicitly; callers get it from a :class:`Clock`. Every instant the
ledger stores is timezone-aware UTC.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .errors import Invalid


class Clock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that stands still until moved; for tests and for replaying a given instant."""

    def __init__(self, at: datetime):
        self._at = as_utc(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = as_utc(at)

    def advance(self, **delta) -> datetime:
        self._at += timedelta(**delta)
        return self._at


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value (as SQLite hands back) is taken to be UTC already.

    An instant that has no UTC form (year 1 at +01:00, year 9999 at -01:00) is refused.
    """
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise Invalid("the time is out of range", time=value.isoformat()) from exc


def local_day(at: datetime, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the calendar day holding ``at`` in ``timezone``."""
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    start = datetime(local.year, local.month, local.day, tzinfo=zone)
    # Wall-clock arithmetic: a day of a daylight-saving change is 23 or 25 hours long.
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)
