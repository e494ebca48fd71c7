"""Earn events: post one or a batch (integrators), read one, list a community's, object to one.

An integrator key posts only for its own communities and reads only the events it posted;
anything else answers 404, exactly like an event that does not exist.
"""

from flask import request

from api import access
from api.auth import roles
from api.clock import now
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
from api.smorest import Blueprint
from api.writes import write
from ledger.earning import events as earning
from ledger.earning import fastpath, notice

# A full batch of events is far larger than the service's default body limit.
MAX_BATCH_BODY_BYTES = 2 * 1024 * 1024
BATCH_COUNTS = ("awarded", "pending", "refused", "replayed", "failed", "points_awarded")

blp = Blueprint("events", __name__, url_prefix="/v1", description="Earn events")


@blp.before_request
def _allow_large_batches():
    if request.endpoint == "events.batch":
        request.max_content_length = MAX_BATCH_BODY_BYTES


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


def _batch_result(index: int, item, answer, summary: dict) -> dict:
    """One event's place in the batch answer; counts it in ``summary``."""
    if answer is None or isinstance(answer, dict):
        summary["failed"] += 1
        problem = _shape_problem(item) if answer is None else answer
        return {"index": index, "status": problem["status"], "event": None, "problem": problem}
    if answer.replayed:
        summary["replayed"] += 1
    else:
        summary[answer.event.status] += 1
        summary["points_awarded"] += answer.event.points_awarded
    event = earning.recorded_answer(db.session, answer, item["community"])
    status = 200 if answer.replayed else 201
    return {"index": index, "status": status, "event": event, "problem": None}


def _batch_answer(items: list, answers: list) -> dict:
    """The batch's results in order, with a summary counting them by outcome."""
    summary = dict.fromkeys(BATCH_COUNTS, 0)
    results = [
        _batch_result(index, item, answer, summary)
        for index, (item, answer) in enumerate(zip(items, answers, strict=True))
    ]
    summary["events"] = len(items)
    return {"summary": summary, "results": results}


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
    recorded = fastpath.record_event(db.session, access.event_source(), _draft(body), now=now())
    answer = earning.recorded_answer(db.session, recorded, body["community"])
    return answer, 200 if recorded.replayed else 201


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
        db.session, access.event_source(), drafts, now=now(), failure=ledger_problem_body
    )
    return _batch_answer(items, answers)


@blp.route("/events/<event_id>")
@blp.response(200, EventSchema)
def show(event_id):
    """One event with its award (staff of its community, the key that posted it, its member)."""
    return earning.answer(db.session, access.event(event_id))


@blp.route("/communities/<slug>/events")
@blp.arguments(EventListQuery, location="query", as_kwargs=True)
@blp.response(200, EventPage)
def index(slug, limit, cursor=None, status=None, member=None):
    """A community's events, oldest first; ``status=pending`` is the public notice list.

    Staff see every event of their community, an integrator the ones it posted, a member their
    own.
    """
    community, api_key_id, own_member_id = access.event_list(slug)
    filters = {"status": status, "member_id": own_member_id or member, "api_key_id": api_key_id}
    page = earning.list_events(db.session, community.id, limit=limit, cursor=cursor, **filters)
    return earning.answer_page(db.session, page, slug)


@blp.route("/events/<event_id>/objection", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ObjectionRequest)
@blp.response(200, EventSchema)
def object_to(body, event_id):
    """Object to an award under public notice (staff): it is voided and never vests."""
    access.staff_event(event_id)
    event = notice.object_to_event(db.session, event_id, reason=body["reason"], now=now())
    return earning.answer(db.session, event)
