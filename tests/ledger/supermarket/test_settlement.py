"""Settlement: the shop is paid in money for the points it took, net of refunds, once."""

import pytest

from ledger.supermarket import errors
from ledger.supermarket.consent import issue_code
from ledger.supermarket.redemptions import redeem, refund
from ledger.supermarket.settlement import covered, settle_shop


@pytest.fixture
def sales(session, community, shop, wang, points_of, grant, now):
    """Two captured sales by 王秀英: rice (30) and soap (12), then 12 points refunded."""
    grant(community, points_of(wang), 100)
    made = []
    for sku in ("rice", "soap"):
        _, code = issue_code(session, wang, now=now)
        made.append(
            redeem(
                session,
                shop,
                member_id=wang.id,
                consent={"code": code},
                lines=[{"sku": sku, "quantity": 1}],
                now=now,
            ).redemption
        )
    refund(session, made[1].id, points=12, now=now)
    return made


def test_a_settlement_pays_the_net_points_at_the_communitys_rate(session, shop, sales, now):
    """42 points taken less 12 refunded: 30 points, 300 fen at ten fen a point."""
    settlement = settle_shop(session, shop.id, now=now)
    assert (settlement.points, settlement.money_due_fen) == (30, 300)
    redemptions, refunds = covered(session, settlement.id)
    assert len(redemptions) == 2 and len(refunds) == 1


def test_nothing_is_settled_twice(session, shop, sales, now):
    """Right after a settlement there is nothing left to settle."""
    settle_shop(session, shop.id, now=now)
    with pytest.raises(errors.NothingToSettle):
        settle_shop(session, shop.id, now=now)
