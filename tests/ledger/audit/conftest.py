"""The audit tests' worked month of the love bank: a donation, an exchange and an expiry."""

from datetime import timedelta

import pytest

from ledger.expiry.settings import set_expiry
from ledger.expiry.sweep import expire_due
from ledger.timebank.exchange import exchange, set_exchange
from ledger.timebank.gifts import LOVE_BANK, give

EXCHANGE_RATE = {"enabled": True, "rate_points": 10, "rate_minutes": 60, "monthly_cap_minutes": 600}


@pytest.fixture
def expired_month(session, community, wang, points_of, grant, now):
    """王 earns 30 points under a one-month expiry, donates 5, exchanges 10 for 60 minutes, and
    the other 15 expire into the love bank 40 days on; returns that later instant."""
    set_expiry(session, community, months=1, now=now)
    set_exchange(session, community, now=now, **EXCHANGE_RATE)
    grant(community, points_of(wang), 30)
    give(session, giver_id=wang.id, to=LOVE_BANK, unit="points", amount=5, memo="", now=now)
    exchange(session, member_id=wang.id, points=10, now=now)
    later = now + timedelta(days=40)
    assert expire_due(session, later) == 1
    return later
