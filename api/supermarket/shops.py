"""Shops, their catalogues and settlements, and the community's money rate.

Staff of the community manage shops, items, the rate and settlements; a shop key reads only its
own shop, catalogue and settlements; residents of the community may browse a catalogue.
"""

from flask_smorest import Blueprint

from api.auth import principal, roles, visible
from api.clock import now
from api.core.accounts import account_view
from api.core.communities import staff_community
from api.extensions import db
from api.schemas import PageQuery
from api.supermarket.schemas import (
    ItemCreate,
    ItemPage,
    ItemPatch,
    ItemSchema,
    RedemptionSettingsSchema,
    SettlementPage,
    SettlementSchema,
    ShopCreate,
    ShopPage,
    ShopSchema,
)
from api.writes import write
from ledger.core import balances
from ledger.core.communities import get_account
from ledger.core.models import Community
from ledger.supermarket import catalogue, settlement
from ledger.supermarket import errors as rerr
from ledger.supermarket.models import Shop


def yuan(fen: int) -> str:
    """Integer fen as a yuan string, sign first: -150 is "-1.50"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


blp = Blueprint("shops", __name__, url_prefix="/v1", description="Shops, catalogue, settlements")


def shop_view(shop) -> dict:
    account = get_account(db.session, shop.account_id)
    return {
        "id": shop.id,
        "community": db.session.get(Community, shop.community_id).slug,
        "name": shop.name,
        "created_at": shop.created_at,
        "account": account_view(
            account, balances.current_balance(db.session, account.id, now=now())
        ),
    }


def item_view(item) -> dict:
    return {
        "sku": item.sku,
        "name": item.name,
        "price_points": item.price_points,
        "stock": item.stock,
        "unlimited": item.stock is None,
        "active": item.active,
        "updated_at": item.updated_at,
    }


def settlement_view(record, *, with_items: bool) -> dict:
    view = {
        "id": record.id,
        "shop": record.shop_id,
        "entry": record.entry_id,
        "redeemed_points": record.redeemed_points,
        "refunded_points": record.refunded_points,
        "points": record.points,
        "fen_per_point": record.fen_per_point,
        "money_due_fen": record.money_due_fen,
        "money_due_yuan": yuan(record.money_due_fen),
        "created_at": record.created_at,
    }
    if with_items:
        redemptions, refunds = settlement.covered(db.session, record.id)
        view["redemptions"] = [
            {"id": r.id, "points": r.points, "captured_at": r.captured_at} for r in redemptions
        ]
        view["refunds"] = [
            {
                "id": r.id,
                "redemption": r.redemption_id,
                "points": r.points,
                "created_at": r.created_at,
            }
            for r in refunds
        ]
    return view


def shop_for_staff(shop_id: str) -> Shop:
    shop = catalogue.get_shop(db.session, shop_id)
    visible(principal().is_staff_of(shop.community_id), rerr.ShopNotFound(shop=shop_id))
    return shop


def shop_for_reader(shop_id: str, *, residents: bool = False) -> Shop:
    """Staff of its community and the shop's own keys (and, for the catalogue, its residents)."""
    shop = catalogue.get_shop(db.session, shop_id)
    who = principal()
    allowed = who.is_staff_of(shop.community_id) or (who.role == "shop" and who.shop_id == shop.id)
    if residents and who.role == "member":
        allowed = who.in_community(shop.community_id)
    visible(allowed, rerr.ShopNotFound(shop=shop_id))
    return shop


@blp.route("/communities/<slug>/shops", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ShopCreate)
@blp.response(201, ShopSchema)
def create_shop(body, slug):
    """Open a shop (or points supermarket) with its points account (staff)."""
    community = staff_community(slug)
    return shop_view(catalogue.create_shop(db.session, community, name=body["name"], now=now()))


@blp.route("/communities/<slug>/shops")
@roles("staff")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, ShopPage)
def list_shops(slug, limit, cursor=None):
    """The community's shops, oldest first (staff)."""
    community = staff_community(slug)
    page = catalogue.list_shops(db.session, community.id, limit=limit, cursor=cursor)
    return {"items": [shop_view(s) for s in page.items], "next_cursor": page.next_cursor}


@blp.route("/shops/<shop_id>")
@blp.response(200, ShopSchema)
def show_shop(shop_id):
    """A shop with its points account (staff, or the shop itself)."""
    return shop_view(shop_for_reader(shop_id))


@blp.route("/shops/<shop_id>/items", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ItemCreate)
@blp.response(201, ItemSchema)
def create_item(body, shop_id):
    """Add an item to the catalogue: a stock count, or unlimited (staff)."""
    shop = shop_for_staff(shop_id)
    return item_view(
        catalogue.add_item(
            db.session,
            shop,
            sku=body["sku"],
            name=body["name"],
            price_points=body["price_points"],
            stock=None if body["unlimited"] else body["stock"],
            active=body["active"],
            now=now(),
        )
    )


@blp.route("/shops/<shop_id>/items/<sku>", methods=["PATCH"])
@roles("staff")
@write
@blp.arguments(ItemPatch)
@blp.response(200, ItemSchema)
def update_item(body, shop_id, sku):
    """Change an item's name, price, stock or sale status; past redemptions keep their prices."""
    shop = shop_for_staff(shop_id)
    changes = {k: v for k, v in body.items() if k != "unlimited"}
    if body.get("unlimited"):
        changes["stock"] = None
    return item_view(catalogue.update_item(db.session, shop, sku, changes, now=now()))


@blp.route("/shops/<shop_id>/items")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, ItemPage)
def list_items(shop_id, limit, cursor=None):
    """The catalogue by sku (staff, the shop itself, and residents of its community)."""
    shop = shop_for_reader(shop_id, residents=True)
    page = catalogue.list_items(db.session, shop.id, limit=limit, cursor=cursor)
    return {"items": [item_view(i) for i in page.items], "next_cursor": page.next_cursor}


@blp.route("/communities/<slug>/redemption-settings", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(RedemptionSettingsSchema)
@blp.response(200, RedemptionSettingsSchema)
def put_settings(body, slug):
    """Set the money rate settlements use: integer fen per point (staff)."""
    community = staff_community(slug)
    rate = catalogue.set_fen_per_point(db.session, community, body["fen_per_point"], now=now())
    return {"fen_per_point": rate}


@blp.route("/communities/<slug>/redemption-settings")
@roles("staff")
@blp.response(200, RedemptionSettingsSchema)
def get_settings(slug):
    """The money rate in force (the default until staff set one)."""
    community = staff_community(slug)
    return {"fen_per_point": catalogue.fen_per_point(db.session, community.id)}


@blp.route("/shops/<shop_id>/settlements", methods=["POST"])
@roles("staff")
@write
@blp.response(201, SettlementSchema)
def create_settlement(shop_id):
    """Settle a shop: its redeemed points go back to issuance; the statement says what is owed."""
    shop = shop_for_staff(shop_id)
    record = settlement.settle_shop(db.session, shop.id, now=now(), api_key_id=principal().key_id)
    return settlement_view(record, with_items=True)


@blp.route("/shops/<shop_id>/settlements")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, SettlementPage)
def list_settlements(shop_id, limit, cursor=None):
    """The shop's settlements, newest first (staff, or the shop itself)."""
    shop = shop_for_reader(shop_id)
    page = settlement.list_settlements(db.session, shop.id, limit=limit, cursor=cursor)
    return {
        "items": [settlement_view(s, with_items=False) for s in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.route("/settlements/<settlement_id>")
@blp.response(200, SettlementSchema)
def show_settlement(settlement_id):
    """One settlement statement with the redemptions and refunds it covers."""
    record = settlement.get_settlement(db.session, settlement_id)
    who = principal()
    visible(
        who.is_staff_of(record.community_id) or who.shop_id == record.shop_id,
        rerr.SettlementNotFound(settlement=settlement_id),
    )
    return settlement_view(record, with_items=True)
