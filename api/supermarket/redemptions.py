"""Redemptions at the till: redeem with consent, capture, void, refund, and read them back.

A shop key acts only for its own shop. A refused consent is answered without raising, so that
``@write`` commits the wrong-try counter (see ``ledger.consent``).
"""

from flask import abort
from flask_smorest import Blueprint

from api.auth import principal, roles, visible
from api.clock import now
from api.extensions import db
from api.problems import ledger_problem
from api.schemas import PageQuery
from api.supermarket.schemas import (
    RedemptionCreate,
    RedemptionPage,
    RedemptionSchema,
    RefundRequest,
    RefundSchema,
)
from api.supermarket.shops import shop_for_reader
from api.writes import write
from ledger.supermarket import catalogue
from ledger.supermarket import errors as rerr
from ledger.supermarket import redemptions as redemption

blp = Blueprint("redemptions", __name__, url_prefix="/v1", description="Redemptions")


def redemption_view(record, *, at=None, member_available=None) -> dict:
    """``member_available`` is shown only in answers to the shop's own writes: later reads by a
    shop must not become a window on the member's balance."""
    at = at or now()
    status = record.status
    if status == "held" and record.hold_expires_at <= at:
        status = "expired"  # no longer reserved; the sweep or the member's next redemption voids it
    return {
        "id": record.id,
        "shop": record.shop_id,
        "member": record.member_id,
        "status": status,
        "points": record.points,
        "refunded_points": record.refunded_points,
        "memo": record.memo,
        "consent": record.consent_method,
        "entry": record.entry_id,
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "unit_price_points": line.unit_price_points,
                "quantity": line.quantity,
                "refunded_quantity": line.refunded_quantity,
            }
            for line in record.lines
        ],
        "hold_expires_at": record.hold_expires_at,
        "created_at": record.created_at,
        "captured_at": record.captured_at,
        "voided_at": record.voided_at,
        "settlement": record.settlement_id,
        "member_available_points": member_available,
    }


def _available(record) -> int:
    return redemption.member_available(db.session, record.member_id)


def _acting_shop():
    who = principal()
    if who.shop_id is None:
        abort(403, "redemptions are made with the shop's own key")
    return catalogue.get_shop(db.session, who.shop_id)


def _redemption_for(redemption_id: str, *, write_access: bool):
    """The shop that made it and staff of its community; the member too, for reading."""
    record = redemption.get_redemption(db.session, redemption_id)
    who = principal()
    allowed = who.is_staff_of(record.community_id) or (
        who.role == "shop" and who.shop_id == record.shop_id
    )
    if not write_access and who.role == "member":
        allowed = who.member_id == record.member_id
    visible(allowed, rerr.RedemptionNotFound(redemption=redemption_id))
    return record


@blp.route("/redemptions", methods=["POST"])
@roles("shop")
@write
@blp.arguments(RedemptionCreate)
@blp.response(201, RedemptionSchema)
def create(body):
    """Redeem points at this shop with the member's code or PIN; ``capture: false`` holds them."""
    shop = _acting_shop()
    visible(body.get("shop", shop.id) == shop.id, rerr.ShopNotFound(shop=body.get("shop")))
    outcome = redemption.redeem(
        db.session,
        shop,
        member_id=body["member"],
        consent=body["consent"],
        lines=body.get("lines"),
        points=body.get("points"),
        memo=body["memo"],
        capture=body["capture"],
        now=now(),
        api_key_id=principal().key_id,
    )
    if outcome.refusal is not None:
        # Returned, not raised: the wrong try is committed with this answer.
        return ledger_problem(outcome.refusal)
    return redemption_view(outcome.redemption, member_available=outcome.member_available)


@blp.route("/redemptions/<redemption_id>")
@blp.response(200, RedemptionSchema)
def show(redemption_id):
    """One redemption (its shop, staff of the community, or the member)."""
    return redemption_view(_redemption_for(redemption_id, write_access=False))


@blp.route("/shops/<shop_id>/redemptions")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, RedemptionPage)
def list_for_shop(shop_id, limit, cursor=None):
    """The shop's redemptions, newest first (the shop itself, or staff)."""
    shop = shop_for_reader(shop_id)
    page = redemption.list_redemptions(db.session, shop.id, limit=limit, cursor=cursor)
    at = now()
    return {
        "items": [redemption_view(r, at=at) for r in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.route("/redemptions/<redemption_id>/capture", methods=["POST"])
@roles("shop", "staff")
@write
@blp.response(200, RedemptionSchema)
def capture(redemption_id):
    """Capture a live hold: its points are posted to the shop."""
    _redemption_for(redemption_id, write_access=True)
    record = redemption.capture(db.session, redemption_id, now=now())
    return redemption_view(record, member_available=_available(record))


@blp.route("/redemptions/<redemption_id>/void", methods=["POST"])
@roles("shop", "staff")
@write
@blp.response(200, RedemptionSchema)
def void(redemption_id):
    """Release a hold: the points are the member's again and the items go back on the shelf."""
    _redemption_for(redemption_id, write_access=True)
    record = redemption.void(db.session, redemption_id, now=now())
    return redemption_view(record, member_available=_available(record))


@blp.route("/redemptions/<redemption_id>/refund", methods=["POST"])
@roles("shop", "staff")
@write
@blp.arguments(RefundRequest)
@blp.response(201, RefundSchema)
def refund(body, redemption_id):
    """Refund part of a captured redemption, by lines (back to stock) or by points."""
    _redemption_for(redemption_id, write_access=True)
    record = redemption.refund(
        db.session,
        redemption_id,
        lines=body.get("lines"),
        points=body.get("points"),
        memo=body["memo"],
        now=now(),
        api_key_id=principal().key_id,
    )
    sold = redemption.get_redemption(db.session, redemption_id)
    return {
        "id": record.id,
        "points": record.points,
        "lines": record.lines,
        "memo": record.memo,
        "entry": record.entry_id,
        "created_at": record.created_at,
        "redemption": redemption_view(sold, member_available=_available(sold)),
    }
