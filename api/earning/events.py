"""Earn events: post one or a batch (integrators), read one, list a community's, object to one.

An integrator key posts only for its own communities and reads only the events it posted;
anything else answers 404, exactly like an event that does not exist.
"""

from flask import request
from flask_smorest import Blueprint

from api.auth import principal, roles, visible
from api.clock import now
from api.core.communities import visible_community
from api.earning.schemas import (
    BatchRequest,
    BatchSchema,
    EventListQuery,
    EventPage,
    EventRequest,
    EventSchema,
    ObjectionRequest,
    ShapeErrors,
)
from api.extensions import db
from api.problems import PROBLEM_TYPE_BASE, ledger_problem_body
from api.writes import write
from ledger.core import errors
from ledger.core.models import Community
from ledger.earning import events as earning
from ledger.earning import notice
from ledger.earning.errors import EventNotFound

# A full batch of events is far larger than the service's default body limit.
MAX_BATCH_BODY_BYTES = 2 * 1024 * 1024

blp = Blueprint("events", __name__, url_prefix="/v1", description="Earn events")


@blp.before_request
def _allow_large_batches():
    if request.endpoint == "events.batch":
        request.max_content_length = MAX_BATCH_BODY_BYTES


def _source() -> earning.Source:
    who = principal()
    return earning.Source(who.key_id, who.key_id, None if who.is_admin else who.community_ids)


def _draft(body: dict) -> earning.EventDraft:
    return earning.EventDraft(
        community=body["community"],
        activity=body["activity"],
        occurred_at=body["occurred_at"],
        source_id=body["source_id"],
        recorded_by=body["recorded_by"],
        member_id=body.get("member"),
        member_ref=body.get("member_ref"),
        quantity=body.get("quantity"),
        evidence=body["evidence"],
    )


def event_view(
    event, community_slug: str, entry_id: str | None = None, replayed: bool = False
) -> dict:
    decision = event.decision or {}
    rule = event.rule
    return {
        "id": event.id,
        "community": community_slug,
        "activity": event.activity,
        "member": event.member_id,
        "occurred_at": event.occurred_at,
        "quantity": event.quantity,
        "source_id": event.source_id,
        "recorded_by": event.recorded_by,
        "evidence": event.evidence,
        "rule": {
            "id": rule.id,
            "version": rule.version,
            "points": rule.points,
            "per": rule.per,
            "notice_days": rule.notice_days,
        },
        "status": event.status,
        "points_due": event.points_due,
        "points_awarded": event.points_awarded,
        "outcome": decision.get("outcome"),
        "reason": decision.get("reason"),
        "limited_by": decision.get("limited_by"),
        "caps": decision.get("caps", []),
        "entry": entry_id
        if entry_id or not event.points_awarded
        else earning.award_entry_id(db.session, event.id),
        "vests_at": event.vests_at,
        "resolved_at": event.resolved_at,
        "objection_reason": event.objection_reason,
        "created_at": event.created_at,
        "replayed": replayed,
    }


def _recorded_view(recorded: earning.Recorded, community_slug: str) -> dict:
    return event_view(recorded.event, community_slug, recorded.entry_id, recorded.replayed)


def _shape_problem(shape: ShapeErrors) -> dict:
    def flatten(messages, path=()):
        if isinstance(messages, dict):
            for key, value in messages.items():
                yield from flatten(value, (*path, str(key)))
        else:
            for message in messages if isinstance(messages, list) else [messages]:
                yield {"field": ".".join(path), "message": str(message)}

    return {
        "type": PROBLEM_TYPE_BASE + "validation-failed",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "This event does not have the expected shape.",
        "errors": list(flatten(shape.messages)),
    }


def _slug(community_id: str) -> str:
    return db.session.get(Community, community_id).slug


def _readable(event) -> bool:
    who = principal()
    if who.is_staff_of(event.community_id):
        return True
    if who.role == "integrator":
        return event.api_key_id == who.key_id
    if who.role == "member":
        return event.member_id == who.member_id
    return False


@blp.route("/events", methods=["POST"])
@roles("integrator")
@write
@blp.arguments(EventRequest)
@blp.response(201, EventSchema)
@blp.alt_response(200, schema=EventSchema, description="A replay: the first answer, unchanged.")
def create(body):
    """Report an event; the answer says what was awarded, which cap applied and what remains.

    One award per (integrator key, source_id): posting the same source_id again answers 200
    with the first event. Caps are never exceeded: an event over a cap is awarded what room is
    left (outcome "partial") or nothing (status "refused"), and says why.
    """
    recorded = earning.record_event(db.session, _source(), _draft(body), now=now())
    return _recorded_view(recorded, body["community"]), 200 if recorded.replayed else 201


@blp.route("/events/batch", methods=["POST"])
@roles("integrator")
@write
@blp.arguments(BatchRequest)
@blp.response(200, BatchSchema)
def batch(body):
    """Report up to MAX_BATCH_EVENTS events; one result per event, in order.

    Each event stands alone: a malformed or refused one is answered with its problem and the
    others are still recorded. Replaying the batch (or any event in it) awards nothing new.
    """
    items = body["events"]
    drafts = [None if isinstance(item, ShapeErrors) else _draft(item) for item in items]
    answers = earning.record_events(
        db.session, _source(), drafts, now=now(), failure=ledger_problem_body
    )
    results = []
    summary = dict.fromkeys(
        ("awarded", "pending", "refused", "replayed", "failed", "points_awarded"), 0
    )
    for index, (item, answer) in enumerate(zip(items, answers, strict=True)):
        if answer is None:
            problem = _shape_problem(item)
            results.append({"index": index, "status": 422, "event": None, "problem": problem})
            summary["failed"] += 1
        elif isinstance(answer, dict):
            results.append(
                {"index": index, "status": answer["status"], "event": None, "problem": answer}
            )
            summary["failed"] += 1
        else:
            view = _recorded_view(answer, item["community"])
            results.append(
                {
                    "index": index,
                    "status": 200 if answer.replayed else 201,
                    "event": view,
                    "problem": None,
                }
            )
            if answer.replayed:
                summary["replayed"] += 1
            else:
                summary[answer.event.status] += 1
                summary["points_awarded"] += answer.event.points_awarded
    summary["events"] = len(items)
    return {"summary": summary, "results": results}


@blp.route("/events/<event_id>")
@blp.response(200, EventSchema)
def show(event_id):
    """One event with its award (staff of its community, the key that posted it, its member)."""
    event = earning.get_event(db.session, event_id)
    visible(_readable(event), EventNotFound(event=event_id))
    return event_view(event, _slug(event.community_id))


@blp.route("/communities/<slug>/events")
@blp.arguments(EventListQuery, location="query", as_kwargs=True)
@blp.response(200, EventPage)
def index(slug, limit, cursor=None, status=None, member=None):
    """A community's events, oldest first; ``status=pending`` is the public notice list.

    Staff see every event of their community, an integrator the ones it posted, a member their
    own.
    """
    community = visible_community(slug)
    who = principal()
    api_key_id = member_id = None
    if not who.is_staff_of(community.id):
        if who.role == "integrator":
            api_key_id = who.key_id
        elif who.role == "member":
            member_id = who.member_id
        else:
            visible(False, errors.CommunityNotFound(slug=slug))
    page = earning.list_events(
        db.session,
        community.id,
        limit=limit,
        cursor=cursor,
        status=status,
        member_id=member_id or member,
        api_key_id=api_key_id,
    )
    entries = earning.award_entry_ids(db.session, [e.id for e in page.items])
    return {
        "items": [event_view(e, slug, entries.get(e.id)) for e in page.items],
        "next_cursor": page.next_cursor,
    }


@blp.route("/events/<event_id>/objection", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ObjectionRequest)
@blp.response(200, EventSchema)
def object_to(body, event_id):
    """Object to an award under public notice (staff): it is voided and never vests."""
    event = earning.get_event(db.session, event_id)
    visible(principal().is_staff_of(event.community_id), EventNotFound(event=event_id))
    event = notice.object_to_event(db.session, event_id, reason=body["reason"], now=now())
    return event_view(event, _slug(event.community_id))
