"""Redemptions at the till: redeem with consent, capture, void, refund, and read them back.

A shop key acts only for its own shop. A refused consent is answered without raising, so that
``@write`` commits the wrong-try counter (see ``ledger.consent``).
"""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.problems import ledger_problem
from api.schemas import PageQuery
from api.smorest import Blueprint
from api.supermarket.schemas import (
    RedemptionCreate,
    RedemptionPage,
    RedemptionSchema,
    RefundRequest,
    RefundSchema,
)
from api.writes import write
from ledger.supermarket import redemptions as redemption

blp = Blueprint("redemptions", __name__, url_prefix="/v1", description="Redemptions")


@blp.route("/redemptions", methods=["POST"])
@roles("shop")
@write
@blp.arguments(RedemptionCreate)
@blp.response(201, RedemptionSchema)
def create(body):
    """Redeem points at this shop with the member's code or PIN; ``capture: false`` holds them."""
    shop = access.redeeming_shop(body.pop("shop", None))
    member_id = body.pop("member")
    outcome = redemption.redeem(
        db.session, shop, member_id=member_id, now=now(), api_key_id=principal().key_id, **body
    )
    if outcome.refusal is not None:
        # Returned, not raised: the wrong try is committed with this answer.
        return ledger_problem(outcome.refusal)
    assert outcome.redemption is not None  # an outcome is a refusal or a redemption
    return redemption.shown(outcome.redemption, at=now(), member_available=outcome.member_available)


@blp.route("/redemptions/<redemption_id>")
@blp.response(200, RedemptionSchema)
def show(redemption_id):
    """One redemption (its shop, staff of the community, or the member)."""
    return redemption.shown(access.redemption(redemption_id), at=now())


@blp.route("/shops/<shop_id>/redemptions")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, RedemptionPage)
def list_for_shop(shop_id, limit, cursor=None):
    """The shop's redemptions, newest first (the shop itself, or staff)."""
    shop = access.shop(shop_id)
    page = redemption.list_redemptions(db.session, shop.id, limit=limit, cursor=cursor)
    return redemption.shown_page(page, now=now())


@blp.route("/redemptions/<redemption_id>/capture", methods=["POST"])
@roles("shop", "staff")
@write
@blp.response(200, RedemptionSchema)
def capture(redemption_id):
    """Capture a live hold: its points are posted to the shop."""
    access.redemption_to_change(redemption_id)
    record = redemption.capture(db.session, redemption_id, now=now())
    return redemption.shown_after_write(db.session, record, now=now())


@blp.route("/redemptions/<redemption_id>/void", methods=["POST"])
@roles("shop", "staff")
@write
@blp.response(200, RedemptionSchema)
def void(redemption_id):
    """Release a hold: the points are the member's again and the items go back on the shelf."""
    access.redemption_to_change(redemption_id)
    record = redemption.void(db.session, redemption_id, now=now())
    return redemption.shown_after_write(db.session, record, now=now())


@blp.route("/redemptions/<redemption_id>/refund", methods=["POST"])
@roles("shop", "staff")
@write
@blp.arguments(RefundRequest)
@blp.response(201, RefundSchema)
def refund(body, redemption_id):
    """Refund part of a captured redemption, by lines (back to stock) or by points."""
    access.redemption_to_change(redemption_id)
    record = redemption.refund(
        db.session, redemption_id, now=now(), api_key_id=principal().key_id, **body
    )
    return redemption.refund_answer(db.session, record, now=now())
