"""Closing a member who leaves: her remainder to a named member or the love bank."""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.membership.schemas import ClosingRequest, ClosingSchema
from api.smorest import Blueprint
from api.writes import write
from ledger.membership import closing

blp = Blueprint("closings", __name__, url_prefix="/v1", description="Closing members")


@blp.route("/members/<member_id>/closing", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ClosingRequest)
@blp.response(201, ClosingSchema)
def close(body, member_id):
    """Close a member: what remains moves in one entry, then her accounts close (staff)."""
    member = access.staff_member(member_id)
    return closing.close_member(
        db.session, member.id, now=now(), api_key_id=principal().key_id, **body
    )


@blp.route("/members/<member_id>/closing")
@roles("staff")
@blp.response(200, ClosingSchema)
def show(member_id):
    """How a closed member was closed (404 while she is open)."""
    return closing.get_closing(db.session, access.staff_member(member_id).id)
