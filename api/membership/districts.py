"""Districts (通存通兑): their communities, moves of minutes, and each pair's statement."""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.membership.schemas import (
    DistrictCreate,
    DistrictSchema,
    MoveRequest,
    MoveSchema,
    PairStatementSchema,
)
from api.smorest import Blueprint
from api.writes import write
from ledger.membership import districts

blp = Blueprint("districts", __name__, url_prefix="/v1", description="Districts and moves")


@blp.route("/districts", methods=["POST"])
@roles()
@write
@blp.arguments(DistrictCreate)
@blp.response(201, DistrictSchema)
def create(body):
    """Create a district (admin)."""
    return districts.create_district(db.session, now=now(), **body)


@blp.route("/districts/<slug>")
@blp.response(200, DistrictSchema)
def show(slug):
    """A district and its communities (admin, and staff of its communities)."""
    return districts.district_view(db.session, access.district(slug))


@blp.route("/districts/<slug>/communities/<community_slug>", methods=["PUT"])
@roles()
@write
@blp.response(200, DistrictSchema)
def add_community(slug, community_slug):
    """Put a community in the district, with clearing accounts towards each other one (admin)."""
    district, community = access.district(slug), access.staff_community(community_slug)
    return districts.add_community(db.session, district, community, now=now())


@blp.route("/districts/<slug>/moves", methods=["POST"])
@roles("staff")
@write
@blp.arguments(MoveRequest)
@blp.response(201, MoveSchema)
def move(body, slug):
    """Move a resident's minutes to another community of the district (staff of hers)."""
    district, member = access.district(slug), access.staff_member(body.pop("member"))
    return districts.move_minutes(
        db.session,
        district=district,
        member_id=member.id,
        to_community_slug=body.pop("to_community"),
        now=now(),
        api_key_id=principal().key_id,
        **body,
    )


@blp.route("/districts/<slug>/clearing/<community_slug>/<counterparty_slug>")
@blp.response(200, PairStatementSchema)
def pair(slug, community_slug, counterparty_slug):
    """The moves between two communities both ways, the net, and both clearing balances."""
    found = access.district_pair(slug, community_slug, counterparty_slug)
    return districts.pair_statement(db.session, *found)
