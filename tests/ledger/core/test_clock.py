"""Clocks hand out aware UTC instants; a frozen clock moves only when told."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from ledger.core import errors
from ledger.core.clock import Clock, FrozenClock, as_utc

SHANGHAI = timezone(timedelta(hours=8))


def test_the_wall_clock_is_aware_utc():
    """Clock().now() carries the UTC zone and is close to the system time."""
    now = Clock().now()
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_frozen_clock_stands_still_until_set_or_advanced():
    """Set to 9:00 in Shanghai it reads 1:00 UTC, and advance(days=3) moves it three days."""
    clock = FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    assert clock.now() == clock.now() == datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    assert clock.advance(days=3) == datetime(2026, 11, 5, 1, 0, tzinfo=UTC)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now().year == 2027


def test_as_utc_reads_naive_as_utc_and_refuses_what_has_no_utc_form():
    """SQLite's naive values are taken as UTC; year 1 at +08:00 has no UTC instant."""
    assert as_utc(datetime(2026, 1, 1, 8, 0)) == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert as_utc(datetime(2026, 1, 1, 8, 0, tzinfo=SHANGHAI)).hour == 0
    with pytest.raises(errors.Invalid):
        as_utc(datetime(1, 1, 1, 0, 0, tzinfo=SHANGHAI))
