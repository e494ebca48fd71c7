"""Expiry's tests run in the supermarket's community, where residents spend their points."""

from datetime import UTC, datetime

import pytest

from tests.support.supermarket import fresh_code, redeem, resident, supermarket

__all__ = ["fresh_code", "redeem", "resident", "supermarket"]

JANUARY = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def expire_sweep(app, clock):
    """expire_sweep() -> how many members' points the sweep's expiry job expired just now."""

    def run():
        from api.extensions import db
        from ledger.expiry.sweep import expire_due

        with app.app_context():
            handled = expire_due(db.session, clock.now())
            db.session.commit()
            db.session.remove()
            return handled

    return run


@pytest.fixture
def yearly(client, clock, supermarket):
    """The supermarket's community with points expiring 12 months after earned, set in January."""
    clock.set(JANUARY)
    response = client.put(
        "/v1/communities/qianjiang/expiry", json={"months": 12}, headers=supermarket.staff
    )
    assert response.status_code == 200, response.json
    return supermarket
