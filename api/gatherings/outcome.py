"""A gathering's outcome: decisions, publication, feedback, the public notice, monthly figures."""

from api import access as api_access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.gatherings import access
from api.gatherings.schemas import (
    GatheringDecisionsRequest,
    GatheringFeedbackRequest,
    GatheringNoticeSchema,
    GatheringReportQuery,
    GatheringReportSchema,
    GatheringSchema,
    GatheringTopicSchema,
)
from api.smorest import Blueprint
from api.writes import write
from ledger.gatherings import outcome, reports

blp = Blueprint("gathering_outcomes", __name__, url_prefix="/v1", description="Gatherings")


@blp.route("/gatherings/<gathering_id>/decisions", methods=["PUT"])
@roles("staff")
@write
@blp.arguments(GatheringDecisionsRequest)
@blp.response(200, GatheringSchema)
def decide(body, gathering_id):
    """Record each topic's decision and who carries it out, once the gathering has ended."""
    found = access.staff_gathering(principal(), gathering_id)
    drafts = [outcome.DecisionDraft(**d) for d in body["decisions"]]
    return outcome.record_decisions(db.session, found, drafts, now=now())


@blp.route("/gatherings/<gathering_id>/publication", methods=["POST"])
@roles("staff")
@write
@blp.response(200, GatheringSchema)
def publish(gathering_id):
    """Publish the outcome (every topic decided); the public notice page then shows it."""
    found = access.staff_gathering(principal(), gathering_id)
    return outcome.publish(db.session, found, now=now())


@blp.route("/gatherings/<gathering_id>/topics/<int:position>/feedback", methods=["POST"])
@roles("staff")
@write
@blp.arguments(GatheringFeedbackRequest)
@blp.response(200, GatheringTopicSchema)
def feedback(body, gathering_id, position):
    """Report back on a published decision's execution (a later report replaces it)."""
    found = access.staff_gathering(principal(), gathering_id)
    return outcome.add_feedback(
        db.session, found, position, body["feedback"], carried_out=body["carried_out"], now=now()
    )


@blp.route("/gatherings/<gathering_id>/notice")
@blp.response(200, GatheringNoticeSchema)
def notice(gathering_id):
    """The published outcome: who attended (as the privacy setting allows), the points under
    notice, the deadline for objections and the decisions (anyone of the community)."""
    return outcome.public_notice(db.session, access.gathering(principal(), gathering_id))


@blp.route("/communities/<slug>/gatherings/report")
@roles("staff")
@blp.arguments(GatheringReportQuery, location="query", as_kwargs=True)
@blp.response(200, GatheringReportSchema)
def report(slug, since, until):
    """Gatherings, attendance and decisions carried out per local month (staff)."""
    community = api_access.staff_community(slug)
    return {"months": reports.monthly(db.session, community, since=since, until=until)}
