"""The catalogue: shops own an unfloored points account, items have a price and stock."""

import pytest

from ledger.core import errors
from ledger.core.models import Account
from ledger.supermarket import errors as shop_errors
from ledger.supermarket.catalogue import (
    DEFAULT_FEN_PER_POINT,
    MAX_FEN_PER_POINT,
    add_item,
    fen_per_point,
    get_item,
    get_shop,
    list_items,
    set_fen_per_point,
    update_item,
)


def test_a_shop_takes_points_into_its_own_account(session, shop):
    """The shop's points account belongs to the shop and has no floor."""
    account = session.get(Account, shop.account_id)
    assert (account.owner_id, account.kind, account.unit, account.floor) == (
        shop.id,
        "shop",
        "points",
        None,
    )
    assert get_shop(session, shop.id) is shop
    with pytest.raises(shop_errors.ShopNotFound):
        get_shop(session, "shop_NOPE")


def test_items_are_listed_by_sku_and_a_sku_is_unique_per_shop(session, shop, now):
    """rice and soap are listed in sku order; a second rice is a conflict."""
    assert [item.sku for item in list_items(session, shop.id, limit=10, cursor=None).items] == [
        "rice",
        "soap",
    ]
    with pytest.raises(shop_errors.ItemExists):
        add_item(session, shop, sku="rice", name="又一袋米", price_points=1, stock=1, now=now)
    with pytest.raises(shop_errors.ItemNotFound):
        get_item(session, shop.id, "tea")


def test_an_item_can_be_repriced_restocked_or_taken_off_the_shelf(session, shop, now):
    """update_item changes only the fields it is given."""
    update_item(session, shop, "rice", {"price_points": 28, "active": False}, now=now)
    rice = get_item(session, shop.id, "rice")
    assert (rice.price_points, rice.stock, rice.active) == (28, 5, False)


def test_the_points_rate_defaults_to_ten_fen_and_is_bounded(session, community, now):
    """0.10 yuan a point until staff set another rate from 0 up to the maximum."""
    assert fen_per_point(session, community.id) == DEFAULT_FEN_PER_POINT
    assert set_fen_per_point(session, community, 20, now=now) == 20
    assert fen_per_point(session, community.id) == 20
    assert set_fen_per_point(session, community, 0, now=now) == 0
    for rate in (-1, MAX_FEN_PER_POINT + 1):
        with pytest.raises(errors.Invalid):
            set_fen_per_point(session, community, rate, now=now)


def test_a_service_is_listed_without_stock(session, shop, now):
    """A haircut is a service item: unlimited, and a stock count for it is refused."""
    haircut = add_item(
        session,
        shop,
        sku="haircut",
        name="理发",
        price_points=15,
        stock=None,
        kind="service",
        now=now,
    )
    assert (haircut.kind, haircut.stock) == ("service", None)
    with pytest.raises(shop_errors.ServiceHasNoStock):
        add_item(
            session,
            shop,
            sku="repair",
            name="修家电",
            price_points=20,
            stock=3,
            kind="service",
            now=now,
        )
    with pytest.raises(shop_errors.ServiceHasNoStock):
        update_item(session, shop, "haircut", {"stock": 5}, now=now)
