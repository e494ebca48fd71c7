"""Caps: calendar periods in the community's zone, and awards cut to the tightest cap."""

from datetime import UTC, datetime

import pytest

from ledger.earning.caps import CapStanding, judge, period_bounds

SHANGHAI = "Asia/Shanghai"


def test_a_day_in_shanghai_starts_at_sixteen_hundred_utc():
    """00:30 on 3 Nov in Shanghai (16:30 UTC on the 2nd) belongs to the Shanghai 3rd."""
    start, end = period_bounds("day", datetime(2026, 11, 2, 16, 30, tzinfo=UTC), SHANGHAI)
    assert (start, end) == (
        datetime(2026, 11, 2, 16, 0, tzinfo=UTC),
        datetime(2026, 11, 3, 16, 0, tzinfo=UTC),
    )


def test_a_week_runs_from_monday_midnight_local_time():
    """Sunday 8 Nov 23:00 in Shanghai is still the week that began Monday 2 Nov."""
    sunday_night = datetime(2026, 11, 8, 15, 0, tzinfo=UTC)
    start, end = period_bounds("week", sunday_night, SHANGHAI)
    assert start == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)  # Monday 2 Nov 00:00 +08:00
    assert end == datetime(2026, 11, 8, 16, 0, tzinfo=UTC)
    assert period_bounds("week", end, SHANGHAI)[0] == end


def test_months_and_years_roll_over_december():
    """December's month ends on 1 January; a year is 1 January to 1 January, local time."""
    december = datetime(2026, 12, 15, tzinfo=UTC)
    assert period_bounds("month", december, "UTC") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert period_bounds("year", december, SHANGHAI) == (
        datetime(2025, 12, 31, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
    )
    with pytest.raises(ValueError):
        period_bounds("fortnight", december, "UTC")


def standing(period, max_points=None, max_count=None, used_points=0, count_used=0):
    at = datetime(2026, 11, 2, tzinfo=UTC)
    return CapStanding(period, at, at, max_points, max_count, used_points, count_used)


def test_an_award_is_cut_to_the_tightest_cap_and_spends_its_room():
    """10 due, 6 left this week: 6 awarded, partial, and both caps count the award."""
    caps = [standing("day", max_points=50), standing("week", max_points=30, used_points=24)]
    verdict = judge(10, caps)
    assert (verdict.points, verdict.outcome) == (6, "partial")
    assert verdict.limited_by == {"period": "week", "limit": "max_points", "max": 30, "used": 24}
    assert [(c.used_points, c.count_used) for c in caps] == [(6, 1), (30, 1)]


def test_a_full_count_cap_refuses_and_spends_nothing():
    """Two meetings a day already counted: the third is refused and no room is spent."""
    caps = [standing("day", max_count=2, count_used=2)]
    verdict = judge(5, caps)
    assert (verdict.points, verdict.outcome) == (0, "refused")
    assert verdict.reason == "day cap reached: 2 of 2 awards already used"
    assert caps[0].count_used == 2 and verdict.caps[0]["count_remaining"] == 0
    assert judge(0, []).outcome == "refused"
    assert judge(7, []).reason == "7 points, within every cap"
