"""The supermarket's tables refuse prices, stock and redemptions that break its invariants."""

from ledger.supermarket.catalogue import get_item
from ledger.supermarket.consent import issue_code
from ledger.supermarket.models import CONSENT_METHODS, REDEMPTION_STATUSES
from ledger.supermarket.redemptions import redeem
from tests.ledger.shared_checks import refused_by_database


def test_prices_are_positive_and_stock_never_negative(session, shop):
    """A free item or minus one bag of rice is refused by the database."""
    session.commit()
    assert "price_positive" in refused_by_database(
        session, "UPDATE shop_items SET price_points = 0"
    )
    assert "stock_not_negative" in refused_by_database(
        session, "UPDATE shop_items SET stock = -1 WHERE sku = 'rice'"
    )
    assert get_item(session, shop.id, "rice").stock == 5


def test_a_redemption_cannot_refund_more_than_it_took(
    session, community, shop, wang, points_of, grant, now
):
    """refunded_points above the points paid breaks refunds_within_points."""
    grant(community, points_of(wang), 100)
    _, code = issue_code(session, wang, now=now)
    sale = redeem(
        session,
        shop,
        member_id=wang.id,
        consent={"code": code},
        lines=[{"sku": "soap", "quantity": 1}],
        now=now,
    ).redemption
    session.commit()
    message = refused_by_database(
        session, "UPDATE redemptions SET refunded_points = 13 WHERE id = :r", r=sale.id
    )
    assert "refunds_within_points" in message
    assert "status_known" in refused_by_database(session, "UPDATE redemptions SET status = 'lost'")


def test_statuses_and_consent_methods_are_the_ones_the_till_knows():
    """Held, captured or voided; consent by code or PIN."""
    assert REDEMPTION_STATUSES == ("held", "captured", "voided")
    assert CONSENT_METHODS == ("code", "pin")
