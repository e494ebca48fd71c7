"""Switching expiry on, changing its months and switching it off."""

import pytest

from ledger.core.communities import create_member
from ledger.expiry import errors
from ledger.expiry.lots import add_months
from ledger.expiry.models import MAX_EXPIRY_MONTHS
from ledger.expiry.settings import WARNING_DAYS, expiry_settings, set_expiry


def test_off_until_set(session, community):
    """A community that never set expiry reads months None."""
    assert expiry_settings(session, community).months is None
    assert expiry_settings(session, community).warning_days == WARNING_DAYS


def test_switching_on_starts_a_lot_from_each_balance(
    session, community, wang, li, points_of, grant, now, lots_of
):
    """王 holds 40 when expiry is switched on: one lot of 40 from now; 李 with nothing has none."""
    grant(community, points_of(wang), 40)
    set_expiry(session, community, months=6, now=now)
    assert lots_of(points_of(wang)) == [(40, add_months(now, 6, community.timezone))]
    assert lots_of(points_of(li)) == []


def test_members_who_join_later_keep_lots_too(session, yearly, points_of, grant, now, lots_of):
    """A member created after expiry was switched on gets lots for what she earns."""
    newcomer = create_member(session, yearly, external_ref="R-new", display_name="新居民", now=now)
    grant(yearly, points_of(newcomer), 10)
    assert lots_of(points_of(newcomer)) == [(10, add_months(now, 12, yearly.timezone))]


def test_switching_off_lets_the_lots_go_and_on_again_starts_afresh(
    session, yearly, wang, points_of, grant, clock, lots_of
):
    """Off then on a month later: one live lot, of the balance, from the second switch."""
    grant(yearly, points_of(wang), 30)
    set_expiry(session, yearly, months=None, now=clock.now())
    again = clock.advance(days=30)
    set_expiry(session, yearly, months=12, now=again)
    live = [lot for lot in lots_of(points_of(wang)) if lot[0]]
    assert live == [(30, add_months(again, 12, yearly.timezone))]


def test_months_out_of_range_are_refused(session, community, now):
    """Zero months, or more than the maximum, are refused with the maximum."""
    for months in (0, MAX_EXPIRY_MONTHS + 1):
        with pytest.raises(errors.ExpiryMonthsOutOfRange) as caught:
            set_expiry(session, community, months=months, now=now)
        assert caught.value.numbers["max_months"] == MAX_EXPIRY_MONTHS
