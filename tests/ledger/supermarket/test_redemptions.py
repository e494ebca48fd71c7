"""Redemptions: points taken or held at the till, stock kept, holds captured, voided, refunded."""

from datetime import timedelta

import pytest

from ledger.core import errors
from ledger.core.balances import current_balance
from ledger.supermarket import errors as shop_errors
from ledger.supermarket.catalogue import get_item
from ledger.supermarket.consent import issue_code
from ledger.supermarket.redemptions import (
    HOLD_TTL,
    capture,
    member_available,
    redeem,
    refund,
    void,
    void_expired_holds,
)


@pytest.fixture
def shopper(session, community, wang, points_of, grant):
    """王秀英 with 100 points."""
    grant(community, points_of(wang), 100)
    return wang


def buy(session, shop, member, now, lines, capture=True):
    _, code = issue_code(session, member, now=now)
    outcome = redeem(
        session,
        shop,
        member_id=member.id,
        consent={"code": code},
        lines=lines,
        capture=capture,
        now=now,
    )
    assert outcome.refusal is None
    return outcome.redemption


def test_a_sale_moves_points_to_the_shop_and_takes_stock(session, shop, shopper, points_of, now):
    """Two bags of rice: 60 points to the shop, three bags left on the shelf."""
    sale = buy(session, shop, shopper, now, [{"sku": "rice", "quantity": 2}])
    assert (sale.status, sale.points) == ("captured", 60)
    assert current_balance(session, points_of(shopper)).posted == 40
    assert current_balance(session, shop.account_id).posted == 60
    assert get_item(session, shop.id, "rice").stock == 3


def test_a_hold_is_captured_or_voided_and_expires_after_its_ttl(session, shop, shopper, now):
    """A held sale lowers what is available; void frees it; an expired hold cannot be captured."""
    held = buy(session, shop, shopper, now, [{"sku": "soap", "quantity": 2}], capture=False)
    assert member_available(session, shopper.id) == 76
    void(session, held.id, now=now)
    assert member_available(session, shopper.id) == 100
    late = buy(session, shop, shopper, now, [{"sku": "rice", "quantity": 1}], capture=False)
    with pytest.raises(shop_errors.HoldExpired):
        capture(session, late.id, now=now + HOLD_TTL)
    assert void_expired_holds(session, now + HOLD_TTL + timedelta(seconds=1)) == 1
    assert get_item(session, shop.id, "rice").stock == 5


def test_a_refund_returns_points_and_stock_but_never_more_than_was_paid(
    session, shop, shopper, points_of, now
):
    """Refunding one of two bags returns 30 points and a bag; refunding 31 more is refused."""
    sale = buy(session, shop, shopper, now, [{"sku": "rice", "quantity": 2}])
    refund(session, sale.id, lines=[{"sku": "rice", "quantity": 1}], now=now)
    assert current_balance(session, points_of(shopper)).posted == 70
    assert get_item(session, shop.id, "rice").stock == 4
    with pytest.raises(shop_errors.RefundTooLarge):
        refund(session, sale.id, points=31, now=now)


def test_stock_balance_and_lines_are_checked_before_anything_moves(
    session, shop, shopper, points_of, now
):
    """Six bags of five, four bags for 100 points and a doubled line are each refused."""
    with pytest.raises(shop_errors.OutOfStock):
        buy(session, shop, shopper, now, [{"sku": "rice", "quantity": 6}])
    with pytest.raises(errors.InsufficientBalance):
        buy(session, shop, shopper, now, [{"sku": "rice", "quantity": 4}])
    with pytest.raises(shop_errors.DuplicateLine):
        buy(session, shop, shopper, now, [{"sku": "soap", "quantity": 1}] * 2)
    assert current_balance(session, points_of(shopper)).posted == 100
