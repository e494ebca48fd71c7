"""Shops, their catalogues and settlements, and the community's money rate.

Staff of the community manage shops, items, the rate and settlements; a shop key reads only its
own shop, catalogue and settlements; residents of the community may browse a catalogue.
"""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.schemas import PageQuery
from api.smorest import Blueprint
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
from ledger.core.paging import Page
from ledger.supermarket import catalogue, settlement

blp = Blueprint("shops", __name__, url_prefix="/v1", description="Shops, catalogue, settlements")


@blp.route("/communities/<slug>/shops", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ShopCreate)
@blp.response(201, ShopSchema)
def create_shop(body, slug):
    """Open a shop (or points supermarket) with its points account (staff)."""
    community = access.staff_community(slug)
    shop = catalogue.create_shop(db.session, community, name=body["name"], now=now())
    return catalogue.shop_standing(db.session, shop, now=now())


@blp.route("/communities/<slug>/shops")
@roles("staff")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, ShopPage)
def list_shops(slug, limit, cursor=None):
    """The community's shops, oldest first (staff)."""
    community = access.staff_community(slug)
    page = catalogue.list_shops(db.session, community.id, limit=limit, cursor=cursor)
    return Page(catalogue.shop_standings(db.session, page.items, now=now()), page.next_cursor)


@blp.route("/shops/<shop_id>")
@blp.response(200, ShopSchema)
def show_shop(shop_id):
    """A shop with its points account (staff, or the shop itself)."""
    return catalogue.shop_standing(db.session, access.shop(shop_id), now=now())


@blp.route("/shops/<shop_id>/items", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ItemCreate)
@blp.response(201, ItemSchema)
def create_item(body, shop_id):
    """Add an item to the catalogue: a stock count, or unlimited (staff)."""
    shop = access.staff_shop(shop_id)
    stock = None if body.pop("unlimited") else body.pop("stock")
    return catalogue.add_item(db.session, shop, stock=stock, now=now(), **body)


@blp.route("/shops/<shop_id>/items/<sku>", methods=["PATCH"])
@roles("staff")
@write
@blp.arguments(ItemPatch)
@blp.response(200, ItemSchema)
def update_item(body, shop_id, sku):
    """Change an item's name, price, stock or sale status; past redemptions keep their prices."""
    shop = access.staff_shop(shop_id)
    if body.pop("unlimited", False):
        body["stock"] = None
    return catalogue.update_item(db.session, shop, sku, body, now=now())


@blp.route("/shops/<shop_id>/items")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, ItemPage)
def list_items(shop_id, limit, cursor=None):
    """The catalogue by sku (staff, the shop itself, and residents of its community)."""
    shop = access.catalogue_shop(shop_id)
    return catalogue.list_items(db.session, shop.id, limit=limit, cursor=cursor)


@blp.route("/communities/<slug>/redemption-settings", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(RedemptionSettingsSchema)
@blp.response(200, RedemptionSettingsSchema)
def put_settings(body, slug):
    """Set the money rate settlements use: integer fen per point (staff)."""
    community = access.staff_community(slug)
    return catalogue.set_money_rate(db.session, community, body["fen_per_point"], now=now())


@blp.route("/communities/<slug>/redemption-settings")
@roles("staff")
@blp.response(200, RedemptionSettingsSchema)
def get_settings(slug):
    """The money rate in force (the default until staff set one)."""
    return catalogue.money_rate(db.session, access.staff_community(slug).id)


@blp.route("/shops/<shop_id>/settlements", methods=["POST"])
@roles("staff")
@write
@blp.response(201, SettlementSchema)
def create_settlement(shop_id):
    """Settle a shop: its redeemed points go back to issuance; the statement says what is owed."""
    shop = access.staff_shop(shop_id)
    record = settlement.settle_shop(db.session, shop.id, now=now(), api_key_id=principal().key_id)
    return settlement.statement(db.session, record)


@blp.route("/shops/<shop_id>/settlements")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, SettlementPage)
def list_settlements(shop_id, limit, cursor=None):
    """The shop's settlements, newest first (staff, or the shop itself)."""
    shop = access.shop(shop_id)
    return settlement.list_settlements(db.session, shop.id, limit=limit, cursor=cursor)


@blp.route("/settlements/<settlement_id>")
@blp.response(200, SettlementSchema)
def show_settlement(settlement_id):
    """One settlement statement with the redemptions and refunds it covers."""
    return settlement.statement(db.session, access.settlement_record(settlement_id))
