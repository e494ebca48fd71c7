"""Gifts and donations between members and the love bank, and staff grants into the love bank."""

from api import access
from api.approvals.outcome import HELD_DESCRIPTION, HELD_STATUS, answers_held
from api.approvals.schemas import ApprovalSchema
from api.auth import principal, roles
from api.clock import now
from api.core.schemas import EntrySchema
from api.extensions import db
from api.smorest import Blueprint
from api.timebank.schemas import GrantRequest, LoveBankSchema, TransferRequest
from api.writes import write
from ledger.approvals.requests import grant_or_hold
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
    giver_id = access.giving_member()
    return transfers.give(
        db.session, giver_id=giver_id, now=now(), api_key_id=principal().key_id, **body
    )


@blp.route("/communities/<slug>/love-bank/grants", methods=["POST"])
@roles("staff")
@write
@blp.arguments(GrantRequest)
@blp.response(201, EntrySchema)
@blp.alt_response(HELD_STATUS, schema=ApprovalSchema, description=HELD_DESCRIPTION)
@answers_held
def grant(body, slug):
    """Grant points or minutes from issuance into the love bank (staff, with a reason).

    Above the community's approval threshold it is held (202) for a second person."""
    community = access.staff_community(slug)
    return grant_or_hold(
        db.session, community_id=community.id, now=now(), api_key_id=principal().key_id, **body
    )


@blp.route("/communities/<slug>/love-bank")
@blp.response(200, LoveBankSchema)
def love_bank(slug):
    """The love bank's balances, in points and minutes (anyone of the community)."""
    return transfers.love_bank(db.session, access.community(slug), now=now())
