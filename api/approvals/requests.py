"""Held staff writes: the community's list, one request, approval, rejection, thresholds."""

from api import access
from api.approvals.schemas import (
    ApprovalPage,
    ApprovalQuery,
    ApprovalSchema,
    RejectionRequest,
    ThresholdsSchema,
    ThresholdsUpdate,
)
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.smorest import Blueprint
from api.writes import write
from ledger.approvals import requests, rules

blp = Blueprint(
    "approvals", __name__, url_prefix="/v1", description="Two-person approval of staff writes"
)


@blp.route("/communities/<slug>/approvals")
@roles("staff")
@blp.arguments(ApprovalQuery, location="query")
@blp.response(200, ApprovalPage)
def index(query, slug):
    """The community's approval requests, oldest first: pending ones unless ``status`` says."""
    community = access.staff_community(slug)
    return requests.list_requests(db.session, community.id, **query)


@blp.route("/approvals/<request_id>")
@roles("staff")
@blp.response(200, ApprovalSchema)
def show(request_id):
    """One approval request (staff of its community)."""
    return access.staff_approval(request_id)


@blp.route("/approvals/<request_id>/approval", methods=["POST"])
@roles("staff")
@write
@blp.response(201, ApprovalSchema)
def approve(request_id):
    """Approve with a second person's key: the entry is posted now (403 for the requester)."""
    access.staff_approval(request_id)
    return requests.approve(db.session, request_id, approver_key_id=principal().key_id, now=now())


@blp.route("/approvals/<request_id>/rejection", methods=["POST"])
@roles("staff")
@write
@blp.arguments(RejectionRequest)
@blp.response(200, ApprovalSchema)
def reject(body, request_id):
    """Reject a held request with a reason (its requester may withdraw it): nothing is posted."""
    access.staff_approval(request_id)
    return requests.reject(
        db.session, request_id, key_id=principal().key_id, reason=body["reason"], now=now()
    )


@blp.route("/communities/<slug>/approval-thresholds")
@roles("staff")
@blp.response(200, ThresholdsSchema)
def thresholds(slug):
    """The largest amount per unit a staff adjustment or grant posts without a second key."""
    return rules.thresholds(db.session, access.staff_community(slug).id)


@blp.route("/communities/<slug>/approval-thresholds", methods=["PUT"])
@roles()
@write
@blp.arguments(ThresholdsUpdate)
@blp.response(200, ThresholdsSchema)
def set_thresholds(body, slug):
    """Set or (null) lift a unit's threshold (admin only: staff do not set their own limit)."""
    community = access.staff_community(slug)
    return rules.set_thresholds(db.session, community.id, body, now=now())
