"""Shops, their catalogues, and the community's redemption settings (the money rate).

Invariants:
- a shop owns exactly one points account, kind "shop", owner = the shop id, with no floor:
  redeemed points land there and settlements take them back to issuance; a refund of a sale
  already settled takes it below zero (points the shop owes back), which the next settlement
  nets;
- an item's price is a positive number of points; its stock is a count that never goes below 0,
  or NULL for unlimited; changing either never touches a past redemption (lines keep their price);
- a community without settings of its own settles at ``DEFAULT_FEN_PER_POINT``.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.balances import AccountStanding, standings
from ledger.core.communities import open_account
from ledger.core.ids import new_id
from ledger.core.lookup import get_or_raise, lock_or_raise, one_or_raise
from ledger.core.models import Account, Community
from ledger.core.paging import Page, keyset_page
from ledger.core.per_engine import PerEngine

from . import errors as rerr
from .models import ITEM_KINDS, RedemptionSettings, Shop, ShopItem

SHOP_ACCOUNT_KIND = "shop"
DEFAULT_FEN_PER_POINT = 10  # one point buys 0.10 yuan of goods unless staff set another rate
MAX_FEN_PER_POINT = 100_000  # 1000 yuan a point: far above any real rate
MAX_PRICE_POINTS = 1_000_000
MAX_STOCK = 1_000_000_000
ITEM_FIELDS = ("name", "price_points", "stock", "active")


def create_shop(session: Session, community: Community, *, name: str, now: datetime) -> Shop:
    shop_id = new_id("shop")
    account = open_account(
        session,
        community_id=community.id,
        owner_id=shop_id,
        kind=SHOP_ACCOUNT_KIND,
        unit="points",
        floor=None,
        now=now,
    )
    shop = Shop(
        id=shop_id, community_id=community.id, name=name, account_id=account.id, created_at=now
    )
    session.add(shop)
    session.flush()
    return shop


def get_shop(session: Session, shop_id: str) -> Shop:
    return get_or_raise(session, Shop, shop_id, rerr.ShopNotFound, shop=shop_id)


@dataclass(frozen=True)
class ShopRecord:
    """A shop's row as a plain record.

    A shop is never changed once made (its community, name and account are set at creation), so
    :func:`shop_record` keeps it per engine and every request shares it: a till's redemption
    does not read the shop again.
    """

    id: str
    community_id: str
    name: str
    account_id: str
    created_at: datetime


# What a redemption is made at: a shop loaded in the session, or its record kept per engine.
AnyShop = Shop | ShopRecord
_known_shops: PerEngine[dict[str, ShopRecord]] = PerEngine(dict)


def shop_record(session: Session, shop_id: str) -> ShopRecord:
    """The shop ``shop_id``, read once per process and engine; ShopNotFound if there is none."""
    known = _known_shops.of(session)
    found = known.get(shop_id)
    if found is None:
        shop = get_shop(session, shop_id)
        found = ShopRecord(shop.id, shop.community_id, shop.name, shop.account_id, shop.created_at)
        known[shop_id] = found
    return found


def lock_shop(session: Session, shop_id: str) -> Shop:
    """The shop row, locked: refunds and settlements of one shop go one at a time.

    FOR NO KEY UPDATE (``key_share``), not FOR UPDATE: a redemption inserted meanwhile takes a
    KEY SHARE lock on the shop row for its foreign key, after it has locked the balance rows; a
    full FOR UPDATE here would make that redemption and this caller wait on each other.
    """
    return lock_or_raise(
        session,
        sa.select(Shop).where(Shop.id == shop_id).with_for_update(key_share=True),
        rerr.ShopNotFound,
        shop=shop_id,
    )


def _check_item_numbers(price_points: int | None, stock: int | None) -> None:
    if price_points is not None and not 1 <= price_points <= MAX_PRICE_POINTS:
        raise rerr.Invalid(
            "price_points is out of range",
            price_points=price_points,
            max_price_points=MAX_PRICE_POINTS,
        )
    if stock is not None and not 0 <= stock <= MAX_STOCK:
        raise rerr.Invalid("stock is out of range", stock=stock, max_stock=MAX_STOCK)


def _check_kind(kind: str, stock: int | None, shop_id: str, sku: str) -> None:
    if kind not in ITEM_KINDS:
        raise rerr.Invalid("unknown item kind", kind=kind, kinds=list(ITEM_KINDS))
    if kind == "service" and stock is not None:
        raise rerr.ServiceHasNoStock(shop=shop_id, sku=sku, stock=stock)


def add_item(
    session: Session,
    shop: Shop,
    *,
    sku: str,
    name: str,
    price_points: int,
    stock: int | None,
    active: bool = True,
    kind: str = "goods",
    now: datetime,
) -> ShopItem:
    """Put an item in the catalogue; ``stock=None`` means unlimited, as a service always is."""
    _check_item_numbers(price_points, stock)
    _check_kind(kind, stock, shop.id, sku)
    if session.get(ShopItem, (shop.id, sku)) is not None:
        raise rerr.ItemExists(shop=shop.id, sku=sku)
    item = ShopItem(
        shop_id=shop.id,
        sku=sku,
        name=name,
        price_points=price_points,
        stock=stock,
        kind=kind,
        active=active,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    return item


def get_item(session: Session, shop_id: str, sku: str, *, for_update: bool = False) -> ShopItem:
    query = sa.select(ShopItem).where(ShopItem.shop_id == shop_id, ShopItem.sku == sku)
    numbers = {"shop": shop_id, "sku": sku}
    if for_update:
        return lock_or_raise(session, query.with_for_update(), rerr.ItemNotFound, **numbers)
    return one_or_raise(session, query, rerr.ItemNotFound, **numbers)


def update_item(
    session: Session, shop: Shop, sku: str, changes: dict, *, now: datetime
) -> ShopItem:
    """Change an item's name, price, stock (None: unlimited) or whether it is on sale."""
    item = get_item(session, shop.id, sku, for_update=True)
    _check_item_numbers(changes.get("price_points"), changes.get("stock"))
    _check_kind(item.kind, changes.get("stock"), shop.id, sku)
    for name in ITEM_FIELDS:
        if name in changes:
            setattr(item, name, changes[name])
    item.updated_at = now
    session.flush()
    return item


def list_items(session: Session, shop_id: str, *, limit: int, cursor: str | None) -> Page:
    """A shop's catalogue by sku."""
    query = sa.select(ShopItem).where(ShopItem.shop_id == shop_id)
    return keyset_page(session, query, ShopItem.sku, limit=limit, cursor=cursor)


def list_shops(session: Session, community_id: str, *, limit: int, cursor: str | None) -> Page:
    """A community's shops, oldest first."""
    query = sa.select(Shop).where(Shop.community_id == community_id)
    return keyset_page(session, query, Shop.id, limit=limit, cursor=cursor)


def fen_per_point(session: Session, community_id: str) -> int:
    rate = session.scalar(
        sa.select(RedemptionSettings.fen_per_point).where(
            RedemptionSettings.community_id == community_id
        )
    )
    return DEFAULT_FEN_PER_POINT if rate is None else int(rate)


def set_fen_per_point(session: Session, community: Community, rate: int, *, now: datetime) -> int:
    if not 0 <= rate <= MAX_FEN_PER_POINT:
        raise rerr.Invalid(
            "fen_per_point is out of range", fen_per_point=rate, max_fen_per_point=MAX_FEN_PER_POINT
        )
    settings = session.get(RedemptionSettings, community.id, with_for_update=True)
    if settings is None:
        session.add(
            RedemptionSettings(community_id=community.id, fen_per_point=rate, updated_at=now)
        )
    else:
        settings.fen_per_point = rate
        settings.updated_at = now
    session.flush()
    return rate


# Reading with balances ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ShopStanding:
    """A shop with its community's slug and its points account's current balance."""

    id: str
    community: str
    name: str
    created_at: datetime
    account: AccountStanding


def shop_standings(session: Session, shops, *, now: datetime) -> list[ShopStanding]:
    """Shops with their accounts and balances: three queries for a whole page."""
    shops = list(shops)
    slugs = dict(
        session.execute(
            sa.select(Community.id, Community.slug).where(
                Community.id.in_({s.community_id for s in shops})
            )
        ).all()
    )
    accounts = session.scalars(
        sa.select(Account).where(Account.id.in_([s.account_id for s in shops]))
    ).all()
    by_id = {a.id: a for a in standings(session, accounts, now=now)}
    return [
        ShopStanding(s.id, slugs[s.community_id], s.name, s.created_at, by_id[s.account_id])
        for s in shops
    ]


def shop_standing(session: Session, shop: Shop, *, now: datetime) -> ShopStanding:
    return shop_standings(session, [shop], now=now)[0]


@dataclass(frozen=True)
class MoneyRate:
    """The rate settlements turn points into money at: integer fen per point."""

    fen_per_point: int


def money_rate(session: Session, community_id: str) -> MoneyRate:
    """The rate in force (the default until staff set one)."""
    return MoneyRate(fen_per_point(session, community_id))


def set_money_rate(session: Session, community: Community, rate: int, *, now: datetime):
    return MoneyRate(set_fen_per_point(session, community, rate, now=now))
