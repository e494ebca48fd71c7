"""Exchanging points for time credits: the community's settings, and the exchange itself."""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.smorest import Blueprint
from api.timebank.schemas import (
    ExchangeRequest,
    ExchangeSchema,
    ExchangeSettingsRequest,
    ExchangeSettingsSchema,
)
from api.writes import write
from ledger.timebank import exchange as exchanges

blp = Blueprint(
    "exchange", __name__, url_prefix="/v1", description="Points for time credits (兑换服务时长)"
)


@blp.route("/communities/<slug>/exchange")
@blp.response(200, ExchangeSettingsSchema)
def settings(slug):
    """The community's exchange of points for minutes: rate, monthly cap, on or off."""
    return exchanges.exchange_settings(db.session, access.community(slug))


@blp.route("/communities/<slug>/exchange", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(ExchangeSettingsRequest)
@blp.response(200, ExchangeSettingsSchema)
def set_settings(body, slug):
    """Set the rate (points for minutes), the cap per member a month, and switch it on or off."""
    community = access.staff_community(slug)
    return exchanges.set_exchange(db.session, community, now=now(), **body)


@blp.route("/exchanges", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(ExchangeRequest)
@blp.response(201, ExchangeSchema)
def create(body):
    """Exchange a member's points for minutes: one entry, within her balance and the cap."""
    member_id = access.exchanging_member(body.get("member"))
    return exchanges.exchange(
        db.session,
        member_id=member_id,
        points=body["points"],
        now=now(),
        api_key_id=principal().key_id,
    )
