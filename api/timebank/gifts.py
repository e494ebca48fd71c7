"""Gifts and donations between members and the love bank, and staff grants into the love bank."""

from flask import abort
from flask_smorest import Blueprint

from api.auth import principal, roles
from api.clock import now
from api.core.accounts import accounts_view
from api.core.communities import staff_community, visible_community
from api.core.schemas import EntrySchema
from api.extensions import db
from api.timebank.schemas import GrantRequest, LoveBankSchema, TransferRequest
from api.writes import write
from ledger.core.communities import system_account
from ledger.timebank import gifts as transfers

blp = Blueprint("transfers", __name__, url_prefix="/v1", description="Gifts, donations, love bank")


@blp.route("/transfers", methods=["POST"])
@roles("member")
@write
@blp.arguments(TransferRequest)
@blp.response(201, EntrySchema)
def create(body):
    """A gift to another member of one's community, or (``to: "love_bank"``) a donation.

    A member gives only what they have: never into the time floor's credit."""
    who = principal()
    if who.member_id is None:
        abort(403, "a gift or donation is sent with the giving member's own key")
    return transfers.give(
        db.session, giver_id=who.member_id, now=now(), api_key_id=who.key_id, **body
    )


@blp.route("/communities/<slug>/love-bank/grants", methods=["POST"])
@roles("staff")
@write
@blp.arguments(GrantRequest)
@blp.response(201, EntrySchema)
def grant(body, slug):
    """Grant points or minutes from issuance into the love bank (staff, with a reason)."""
    community = staff_community(slug)
    return transfers.grant_to_love_bank(
        db.session, community_id=community.id, now=now(), api_key_id=principal().key_id, **body
    )


@blp.route("/communities/<slug>/love-bank")
@blp.response(200, LoveBankSchema)
def love_bank(slug):
    """The love bank's balances, in points and minutes (anyone of the community)."""
    community = visible_community(slug)
    accounts = [
        system_account(db.session, community.id, "love_bank", unit)
        for unit in ("minutes", "points")
    ]
    return {"community": community.slug, "accounts": accounts_view(accounts)}
