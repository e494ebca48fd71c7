"""Whether, and after how many months, a community's points expire into the love bank."""

from api import access
from api.auth import roles
from api.clock import now
from api.expiry.schemas import ExpirySettingsRequest, ExpirySettingsSchema
from api.extensions import db
from api.smorest import Blueprint
from api.writes import write
from ledger.expiry import settings as expiry

blp = Blueprint(
    "expiry", __name__, url_prefix="/v1", description="Points that expire into the love bank"
)


@blp.route("/communities/<slug>/expiry")
@blp.response(200, ExpirySettingsSchema)
def show(slug):
    """After how many months the community's points expire (null: never)."""
    return expiry.expiry_settings(db.session, access.community(slug))


@blp.route("/communities/<slug>/expiry", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(ExpirySettingsRequest)
@blp.response(200, ExpirySettingsSchema)
def update(body, slug):
    """Switch expiry on (months), change the months, or switch it off (null)."""
    community = access.staff_community(slug)
    return expiry.set_expiry(db.session, community, months=body["months"], now=now())
