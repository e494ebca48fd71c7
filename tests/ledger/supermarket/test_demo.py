"""The demo community comes with a points supermarket that has already traded."""

import sqlalchemy as sa

from ledger.capabilities import load_demo
from ledger.supermarket.models import Redemption, Settlement, Shop


def test_the_demo_has_a_shop_with_sales_a_settlement_and_a_hold(session, clock):
    """Two captured sales, settled once, and one hold still open."""
    load_demo(session, clock.now())
    session.commit()
    shop = session.scalars(sa.select(Shop)).one()
    statuses = sorted(
        r.status
        for r in session.scalars(sa.select(Redemption).where(Redemption.shop_id == shop.id))
    )
    assert statuses == ["captured", "captured", "held"]
    settlement = session.scalars(sa.select(Settlement)).one()
    assert settlement.points == 90 and settlement.money_due_fen == 900
