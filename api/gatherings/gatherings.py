"""Gatherings: staff schedule them, anyone of the community reads them, the roll call is ticked.

The resident's own sign-in (scanning the desk's rotating QR code) is a page (``/g``); the roll
call is ticked here by staff or by the organizer's member key, and on the organizer's page.
"""

from api import access as api_access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.gatherings import access
from api.gatherings.schemas import (
    GatheringAttendanceList,
    GatheringAttendanceRequest,
    GatheringAttendanceSchema,
    GatheringPage,
    GatheringRequest,
    GatheringSchema,
    GatheringSettingsSchema,
)
from api.schemas import PageQuery
from api.smorest import Blueprint
from api.writes import write
from ledger.gatherings import attendance, gatherings

blp = Blueprint("gatherings", __name__, url_prefix="/v1", description="Gatherings")


def _draft(body: dict) -> gatherings.GatheringDraft:
    return gatherings.GatheringDraft(
        title=body["title"],
        kind=body["kind"],
        activity=body["activity"],
        place=body["place"],
        starts_at=body["starts_at"],
        ends_at=body["ends_at"],
        organizer_member_id=body["organizer"],
        organizer_name=body["organizer_name"],
        topics=tuple(body["topics"]),
    )


@blp.route("/communities/<slug>/gatherings", methods=["POST"])
@roles("staff")
@write
@blp.arguments(GatheringRequest)
@blp.response(201, GatheringSchema)
def create(body, slug):
    """Schedule a meeting or an action (staff); its activity's rule must exist."""
    community = api_access.staff_community(slug)
    return gatherings.schedule(
        db.session, community, _draft(body), now=now(), api_key_id=principal().key_id
    )


@blp.route("/communities/<slug>/gatherings")
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, GatheringPage)
def index(slug, limit, cursor=None):
    """A community's gatherings in the order they were scheduled (anyone of the community)."""
    community = api_access.community(slug)
    return gatherings.list_gatherings(db.session, community.id, limit=limit, cursor=cursor)


@blp.route("/gatherings/<gathering_id>")
@blp.response(200, GatheringSchema)
def show(gathering_id):
    """One gathering with its topics and, once recorded, their decisions and feedback."""
    return access.gathering(principal(), gathering_id)


@blp.route("/gatherings/<gathering_id>/attendance", methods=["POST"])
@roles("staff", "member")
@write
@blp.arguments(GatheringAttendanceRequest)
@blp.response(201, GatheringAttendanceSchema)
@blp.alt_response(
    200, schema=GatheringAttendanceSchema, description="Already signed in: nothing new."
)
def tick(body, gathering_id):
    """Tick a member off the roll call (staff, or the organizer's own key): one award each.

    A member already signed in (by scanning or an earlier tick) answers 200 with her first
    sign-in; the organizer herself is refused (``recorded-by-self``)."""
    found, ticked_by = access.roll_call_gathering(principal(), gathering_id)
    signed = attendance.tick(
        db.session,
        found,
        member_id=body.get("member"),
        member_ref=body.get("member_ref"),
        ticked_by=ticked_by,
        now=now(),
    )
    return signed, 200 if signed.already else 201


@blp.route("/gatherings/<gathering_id>/attendance")
@roles("staff")
@blp.response(200, GatheringAttendanceList)
def attendees(gathering_id):
    """Who signed in, how, ticked by whom, and each award's status (staff)."""
    found = access.staff_gathering(principal(), gathering_id)
    return {"items": attendance.signed_in(db.session, found)}


@blp.route("/communities/<slug>/gathering-settings", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(GatheringSettingsSchema)
@blp.response(200, GatheringSettingsSchema)
def put_settings(body, slug):
    """How the community's published notices name attendees: full, surname or count (staff)."""
    community = api_access.staff_community(slug)
    value = gatherings.set_attendee_names(
        db.session, community.id, body["attendee_names"], now=now()
    )
    return {"attendee_names": value}


@blp.route("/communities/<slug>/gathering-settings")
@blp.response(200, GatheringSettingsSchema)
def settings(slug):
    """The community's gathering settings (anyone of the community)."""
    community = api_access.community(slug)
    return {"attendee_names": gatherings.attendee_names(db.session, community.id)}
