"""Exchanging points for time credits: one balanced entry through issuance, within the cap."""

from datetime import UTC, datetime

import pytest

from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.core.communities import member_account, system_account
from ledger.expiry.models import PointLot
from ledger.expiry.settings import set_expiry
from ledger.timebank import errors as tb
from ledger.timebank.exchange import exchange, exchange_settings, month_of, set_exchange

RATE = {"enabled": True, "rate_points": 10, "rate_minutes": 60, "monthly_cap_minutes": 600}


@pytest.fixture
def exchanging(session, community, now):
    """潜江社区 exchanging 10 points for 60 minutes, at most 600 minutes a member a month."""
    set_exchange(session, community, now=now, **RATE)
    return community


def test_an_exchange_is_one_entry_through_both_issuance_accounts(
    session, exchanging, wang, points_of, grant, now
):
    """30 points become 180 minutes: points back to issuance, minutes out of it."""
    grant(exchanging, points_of(wang), 30)
    done = exchange(session, member_id=wang.id, points=30, now=now)
    assert (done.points, done.minutes, done.used_minutes, done.remaining_minutes) == (
        30,
        180,
        180,
        420,
    )
    assert done.entry.kind == "exchange"
    issuance = {
        unit: system_account(session, exchanging.id, "issuance", unit).id
        for unit in ("points", "minutes")
    }
    minutes = member_account(session, wang.id, "minutes").id
    assert {
        (p.from_account_id, p.to_account_id, p.unit, p.amount) for p in done.entry.postings
    } == {
        (points_of(wang), issuance["points"], "points", 30),
        (issuance["minutes"], minutes, "minutes", 180),
    }
    assert current_balance(session, minutes).posted == 180


def test_off_by_default(session, community, wang, now):
    """Without settings the exchange reads disabled and refuses."""
    assert exchange_settings(session, community).enabled is False
    with pytest.raises(tb.ExchangeOff):
        exchange(session, member_id=wang.id, points=10, now=now)


def test_the_cap_counts_the_calendar_month_in_the_community_time_zone(
    session, exchanging, wang, points_of, grant
):
    """Shanghai's December starts at 16:00 UTC on 30 November: the cap starts again then."""
    grant(exchanging, points_of(wang), 200)
    last_of_november = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    exchange(session, member_id=wang.id, points=100, now=last_of_november)
    with pytest.raises(tb.ExchangeCapReached) as caught:
        exchange(session, member_id=wang.id, points=10, now=last_of_november)
    assert caught.value.numbers["used_minutes"] == 600
    december = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert exchange(session, member_id=wang.id, points=10, now=december).used_minutes == 60


def test_month_of_is_the_local_calendar_month():
    """A December instant in Shanghai belongs to [1 Dec, 1 Jan) local."""
    start, end = month_of(datetime(2026, 12, 15, tzinfo=UTC), "Asia/Shanghai")
    assert (start, end) == (
        datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 16, 0, tzinfo=UTC),
    )


def test_rates_and_caps_out_of_range_are_refused(session, community, now):
    """A rate of zero points, or a negative cap, is refused."""
    with pytest.raises(tb.ExchangeRateOutOfRange):
        set_exchange(session, community, now=now, **{**RATE, "rate_points": 0})
    with pytest.raises(errors.Invalid):
        set_exchange(session, community, now=now, **{**RATE, "monthly_cap_minutes": -1})


def test_an_exchange_spends_the_oldest_points_where_they_expire(
    session, exchanging, wang, points_of, grant, now
):
    """With expiry on, exchanged points come out of the member's lots like any spend."""
    grant(exchanging, points_of(wang), 50)
    set_expiry(session, exchanging, months=12, now=now)
    exchange(session, member_id=wang.id, points=20, now=now)
    lot = session.query(PointLot).filter_by(account_id=points_of(wang)).one()
    assert lot.remaining_points == 30
