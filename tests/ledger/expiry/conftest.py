"""Expiry's ledger tests: a community whose points expire 12 months after they were earned."""

import pytest
import sqlalchemy as sa

from ledger.expiry.models import PointLot
from ledger.expiry.settings import set_expiry


@pytest.fixture
def yearly(session, community, now):
    """潜江社区 with points expiring after 12 months, switched on before anyone earned any."""
    set_expiry(session, community, months=12, now=now)
    return community


@pytest.fixture
def lots_of(session):
    """lots_of(account_id) -> [(remaining points, expires_at)] of its lots, soonest first."""

    def read(account_id):
        rows = session.execute(
            sa.select(PointLot.remaining_points, PointLot.expires_at)
            .where(PointLot.account_id == account_id)
            .order_by(PointLot.expires_at, PointLot.id)
        )
        return [tuple(row) for row in rows]

    return read
