"""The points supermarket's part of ``pointsbank demo``: a shop, its shelf, a few sales."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.models import Community, Member

from .catalogue import add_item, create_shop
from .consent import issue_code, set_pin
from .models import Redemption, Shop, ShopItem
from .redemptions import redeem
from .settlement import settle_shop

DEMO_SHOP_NAME = "星光积分超市"
DEMO_ITEMS = (  # (sku, name, price in points, stock or None for unlimited)
    ("soy-sauce", "酱油 500ml", 30, 20),
    ("seeds", "蔬菜种子", 20, None),
    ("detergent", "洗衣液 2kg", 50, 10),
)
DEMO_PIN = "2580"


def add_demo(session: Session, community: Community, members: list[Member], now: datetime) -> None:
    """Two sales (by code and by PIN), a settlement of them, then a hold left open."""
    shop = create_shop(session, community, name=DEMO_SHOP_NAME, now=now)
    for sku, name, price, stock in DEMO_ITEMS:
        add_item(session, shop, sku=sku, name=name, price_points=price, stock=stock, now=now)
    _, code = issue_code(session, members[0], now=now)
    redeem(
        session,
        shop,
        member_id=members[0].id,
        consent={"code": code},
        lines=[{"sku": "soy-sauce", "quantity": 1}, {"sku": "seeds", "quantity": 1}],
        now=now,
    )
    set_pin(session, members[1], DEMO_PIN, now=now)
    redeem(
        session,
        shop,
        member_id=members[1].id,
        consent={"pin": DEMO_PIN},
        lines=[{"sku": "seeds", "quantity": 2}],
        now=now,
    )
    settle_shop(session, shop.id, now=now)
    _, code = issue_code(session, members[2], now=now)
    redeem(
        session,
        shop,
        member_id=members[2].id,
        consent={"code": code},
        lines=[{"sku": "detergent", "quantity": 1}],
        capture=False,
        now=now,
    )


def tell_demo(session: Session, community: Community, now: datetime, story) -> None:
    """The shop, its shelf with stock, and its sales (SHOP, SALE)."""
    shop = session.scalars(
        sa.select(Shop).where(Shop.community_id == community.id).order_by(Shop.created_at)
    ).first()
    if shop is None:
        return
    items = session.scalars(
        sa.select(ShopItem).where(ShopItem.shop_id == shop.id).order_by(ShopItem.sku)
    ).all()
    story.lines.append(
        f"points supermarket {shop.name}: "
        + ", ".join(
            f"{i.name} {i.price_points} points ({'unlimited' if i.stock is None else i.stock} left)"
            for i in items
        )
    )
    sales = session.scalars(
        sa.select(Redemption).where(Redemption.shop_id == shop.id).order_by(Redemption.created_at)
    ).all()
    story.lines.append(
        f"{len(sales)} sales: "
        + ", ".join(f"{sale.points} points {sale.status} ({sale.consent_method})" for sale in sales)
    )
    story.env["SHOP"] = shop.id
    captured = [sale for sale in sales if sale.status == "captured"]
    if captured:
        story.env["SALE"] = captured[0].id
