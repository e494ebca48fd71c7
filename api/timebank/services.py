"""Service requests of the time bank: order (点单), dispatch (派单), take (接单), confirm, rate (评单).

Members of a community see its service board; staff see and dispatch their community's services.
Who may ask for each step is ``ledger.timebank.refusal`` (403 otherwise); the state machine and
the minutes are the ledger's.
"""

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.smorest import Blueprint
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
from ledger.timebank import services as timebank

blp = Blueprint("services", __name__, url_prefix="/v1", description="Time bank: service requests")


@blp.route("/services", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(ServiceCreate)
@blp.response(201, ServiceSchema)
def create(body):
    """Ask for help (点单): a member for themself, or staff on a resident's behalf."""
    requester_id = body.pop("requester", None)
    slug = body.pop("community")
    community, actor = access.service_community(slug, requester_id, body["funded_by"])
    return timebank.request_service(
        db.session,
        community_id=community.id,
        requester_id=requester_id or actor.member_id,
        now=now(),
        **body,
    )


@blp.route("/services/<service_id>")
@roles("member", "staff")
@blp.response(200, ServiceSchema)
def show(service_id):
    """One service request and where it stands (members: open ones, and their own)."""
    return access.service(service_id)


@blp.route("/services/<service_id>/assign", methods=["POST"])
@roles("staff")
@write
@blp.arguments(AssignRequest)
@blp.response(200, ServiceSchema)
def assign(body, service_id):
    """Staff dispatch a volunteer (派单); the estimate is held on the funder."""
    access.service_step(service_id, "assign")
    return timebank.assign(
        db.session,
        service_id,
        volunteer_id=body["volunteer"],
        now=now(),
        api_key_id=principal().key_id,
    )


@blp.route("/services/<service_id>/accept", methods=["POST"])
@roles("member")
@write
@blp.arguments(NoBody)
@blp.response(200, ServiceSchema)
def accept(_body, service_id):
    """A volunteer takes an open request (接单); the estimate is held on the funder."""
    actor = access.service_step(service_id, "accept")
    return timebank.accept(
        db.session,
        service_id,
        volunteer_id=actor.member_id,
        now=now(),
        api_key_id=principal().key_id,
    )


@blp.route("/services/<service_id>/complete", methods=["POST"])
@roles("member")
@write
@blp.arguments(CompleteRequest)
@blp.response(200, ServiceSchema)
def complete(body, service_id):
    """The volunteer reports the actual minutes (within the overrun allowance, paid for)."""
    access.service_step(service_id, "complete")
    return timebank.complete(
        db.session, service_id, minutes=body["minutes"], now=now(), api_key_id=principal().key_id
    )


@blp.route("/services/<service_id>/confirm", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(NoBody)
@blp.response(200, ServiceSchema)
def confirm(_body, service_id):
    """The requester (or staff, for a resident who cannot) confirms: the minutes are posted."""
    actor = access.service_step(service_id, "confirm")
    return timebank.confirm(db.session, service_id, actor=actor, now=now())


@blp.route("/services/<service_id>/rate", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(RateRequest)
@blp.response(200, ServiceSchema)
def rate(body, service_id):
    """The requester rates a confirmed service once, 1 to 5 stars (评单)."""
    actor = access.service_step(service_id, "rate")
    return timebank.rate(db.session, service_id, actor=actor, now=now(), **body)


@blp.route("/services/<service_id>/cancel", methods=["POST"])
@roles("member", "staff")
@write
@blp.arguments(CancelRequest)
@blp.response(200, ServiceSchema)
def cancel(body, service_id):
    """Withdraw a request before it is completed; the hold on the funder is released."""
    actor = access.service_step(service_id, "cancel")
    return timebank.cancel(db.session, service_id, actor=actor, reason=body["reason"], now=now())


@blp.route("/communities/<slug>/services")
@roles("member", "staff")
@blp.arguments(CommunityServicesQuery, location="query", as_kwargs=True)
@blp.response(200, ServicePage)
def community_index(slug, state, limit, category=None, cursor=None):
    """The community's services in one state, oldest first. Members see the open requests they
    can take (not their own); staff see any state."""
    community, actor = access.service_board(slug, state)
    return timebank.community_services(
        db.session,
        community.id,
        state=state,
        category=category,
        not_requested_by=None if actor.staff else actor.member_id,
        limit=limit,
        cursor=cursor,
    )


@blp.route("/members/<member_id>/services")
@roles("member", "staff")
@blp.arguments(MemberServicesQuery, location="query", as_kwargs=True)
@blp.response(200, ServicePage)
def member_index(member_id, as_, limit, cursor=None):
    """A member's requests (``as=requester``) or the services they took (``as=volunteer``),
    newest first (the member themself, or staff)."""
    member = access.member(member_id)
    return timebank.member_services(db.session, member.id, as_=as_, limit=limit, cursor=cursor)
