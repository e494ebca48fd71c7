"""Service requests of the time bank: order (点单), dispatch (派单), take (接单), confirm, rate (评单).

Members of a community see its service board; staff see and dispatch their community's services.
Who may ask for each step is ``ledger.timebank.refusal`` (403 otherwise); the state machine and
the minutes are the ledger's.
"""

from flask import abort
from flask_smorest import Blueprint

from api.auth import principal, roles, visible
from api.clock import now
from api.core.communities import visible_community
from api.extensions import db
from api.timebank.schemas import (
    AssignRequest,
    CancelRequest,
    CommunityServicesQuery,
    CompleteRequest,
    MemberServicesQuery,
    NoBody,
    RateRequest,
    ServiceCreate,
    ServicePage,
    ServiceSchema,
)
from api.writes import write
from ledger.core import errors
from ledger.core.communities import get_community, get_member
from ledger.timebank import services as timebank
from ledger.timebank.errors import ServiceNotFound

blp = Blueprint("services", __name__, url_prefix="/v1", description="Time bank: service requests")


def service_view(service) -> dict:
    rating = None
    if service.stars is not None:
        rating = {
            "stars": service.stars,
            "comment": service.comment,
            "rated_at": service.rated_at,
            "rated_by": service.rated_by,
        }
    return {
        "id": service.id,
        "community": service.community.slug,
        "requester": service.requester_id,
        "volunteer": service.volunteer_id,
        "title": service.title,
        "category": service.category,
        "funded_by": service.funded_by,
        "funder_account": service.funder_account_id,
        "minutes_estimate": service.minutes_estimate,
        "minutes_actual": service.minutes_actual,
        "state": service.state,
        "entry": service.entry_id,
        "rating": rating,
        "confirmed_by": service.confirmed_by,
        "cancelled_by": service.cancelled_by,
        "cancel_reason": service.cancel_reason,
        "created_at": service.created_at,
        "assigned_at": service.assigned_at,
        "completed_at": service.completed_at,
        "confirmed_at": service.confirmed_at,
        "cancelled_at": service.cancelled_at,
    }


def _actor(community_id: str) -> timebank.Actor:
    who = principal()
    return timebank.Actor(
        member_id=who.member_id if who.role == "member" else None,
        staff=who.is_staff_of(community_id),
    )


def _service_for(service_id: str, action: str | None = None):
    """The service if the caller's community has it (else 404), and the caller may take the step."""
    service = timebank.get_service(db.session, service_id)
    visible(principal().in_community(service.community_id), ServiceNotFound(service=service_id))
    actor = _actor(service.community_id)
    if action is not None:
        reason = timebank.refusal(service, action, actor)
        if reason:
            abort(403, reason)
    return service, actor


@blp.route("/services", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(ServiceCreate)
@blp.response(201, ServiceSchema)
def create(body):
    """Ask for help (点单): a member for themself, or staff on a resident's behalf."""
    community = get_community(db.session, body["community"])
    visible(
        principal().in_community(community.id), errors.CommunityNotFound(slug=body["community"])
    )
    actor = _actor(community.id)
    reason = timebank.request_refusal(actor, body.get("requester"), body["funded_by"])
    if reason:
        abort(403, reason)
    service = timebank.request_service(
        db.session,
        community_id=community.id,
        requester_id=body.get("requester") or actor.member_id,
        title=body["title"],
        category=body["category"],
        minutes_estimate=body["minutes_estimate"],
        funded_by=body["funded_by"],
        now=now(),
    )
    return service_view(service)


@blp.route("/services/<service_id>")
@roles("member", "staff")
@blp.response(200, ServiceSchema)
def show(service_id):
    """One service request and where it stands (members: open ones, and their own)."""
    service, _ = _service_for(service_id)
    who = principal()
    if who.role == "member" and service.state != "open":
        own = who.member_id in (service.requester_id, service.volunteer_id)
        visible(own, ServiceNotFound(service=service_id))
    return service_view(service)


@blp.route("/services/<service_id>/assign", methods=["POST"])
@roles("staff")
@write
@blp.arguments(AssignRequest)
@blp.response(200, ServiceSchema)
def assign(body, service_id):
    """Staff dispatch a volunteer (派单); the estimate is held on the funder."""
    _service_for(service_id, "assign")
    return service_view(
        timebank.assign(
            db.session,
            service_id,
            volunteer_id=body["volunteer"],
            now=now(),
            api_key_id=principal().key_id,
        )
    )


@blp.route("/services/<service_id>/accept", methods=["POST"])
@roles("member")
@write
@blp.arguments(NoBody)
@blp.response(200, ServiceSchema)
def accept(_body, service_id):
    """A volunteer takes an open request (接单); the estimate is held on the funder."""
    _, actor = _service_for(service_id, "accept")
    return service_view(
        timebank.accept(
            db.session,
            service_id,
            volunteer_id=actor.member_id,
            now=now(),
            api_key_id=principal().key_id,
        )
    )


@blp.route("/services/<service_id>/complete", methods=["POST"])
@roles("member")
@write
@blp.arguments(CompleteRequest)
@blp.response(200, ServiceSchema)
def complete(body, service_id):
    """The volunteer reports the actual minutes (within the overrun allowance, paid for)."""
    _service_for(service_id, "complete")
    return service_view(
        timebank.complete(
            db.session,
            service_id,
            minutes=body["minutes"],
            now=now(),
            api_key_id=principal().key_id,
        )
    )


@blp.route("/services/<service_id>/confirm", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(NoBody)
@blp.response(200, ServiceSchema)
def confirm(_body, service_id):
    """The requester (or staff, for a resident who cannot) confirms: the minutes are posted."""
    _, actor = _service_for(service_id, "confirm")
    return service_view(timebank.confirm(db.session, service_id, actor=actor, now=now()))


@blp.route("/services/<service_id>/rate", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(RateRequest)
@blp.response(200, ServiceSchema)
def rate(body, service_id):
    """The requester rates a confirmed service once, 1 to 5 stars (评单)."""
    _, actor = _service_for(service_id, "rate")
    return service_view(
        timebank.rate(
            db.session,
            service_id,
            actor=actor,
            stars=body["stars"],
            comment=body["comment"],
            now=now(),
        )
    )


@blp.route("/services/<service_id>/cancel", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(CancelRequest)
@blp.response(200, ServiceSchema)
def cancel(body, service_id):
    """Withdraw a request before it is completed; the hold on the funder is released."""
    _, actor = _service_for(service_id, "cancel")
    return service_view(
        timebank.cancel(db.session, service_id, actor=actor, reason=body["reason"], now=now())
    )


@blp.route("/communities/<slug>/services")
@roles("member", "staff")
@blp.arguments(CommunityServicesQuery, location="query", as_kwargs=True)
@blp.response(200, ServicePage)
def community_index(slug, state, limit, category=None, cursor=None):
    """The community's services in one state, oldest first. Members see the open requests they
    can take (not their own); staff see any state."""
    community = visible_community(slug)
    actor = _actor(community.id)
    if not actor.staff and state != "open":
        abort(403, "members see the open requests; their own are under /v1/members/{id}/services")
    page = timebank.community_services(
        db.session,
        community.id,
        state=state,
        category=category,
        not_requested_by=None if actor.staff else actor.member_id,
        limit=limit,
        cursor=cursor,
    )
    return {"items": [service_view(s) for s in page.items], "next_cursor": page.next_cursor}


@blp.route("/members/<member_id>/services")
@roles("member", "staff")
@blp.arguments(MemberServicesQuery, location="query", as_kwargs=True)
@blp.response(200, ServicePage)
def member_index(member_id, as_, limit, cursor=None):
    """A member's requests (``as=requester``) or the services they took (``as=volunteer``),
    newest first (the member themself, or staff)."""
    member = get_member(db.session, member_id)
    who = principal()
    visible(
        who.is_staff_of(member.community_id) or who.member_id == member.id,
        errors.MemberNotFound(member=member_id),
    )
    page = timebank.member_services(db.session, member.id, as_=as_, limit=limit, cursor=cursor)
    return {"items": [service_view(s) for s in page.items], "next_cursor": page.next_cursor}
