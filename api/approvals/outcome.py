"""A staff write's answer: 201 with the entry it posted, or 202 with the request it is held as."""

from functools import wraps

from flask import Response, json

from api.approvals.schemas import ApprovalSchema
from ledger.approvals.models import ApprovalRequest
from ledger.approvals.requests import Outcome

HELD_STATUS = 202
HELD_DESCRIPTION = "Held for a second person's approval: nothing is posted yet."


def answer(outcome: Outcome):
    """The entry as the view's own schema dumps it, or the held request, answered 202."""
    if not isinstance(outcome, ApprovalRequest):
        return outcome
    body = json.dumps(ApprovalSchema().dump(outcome), ensure_ascii=False)
    return Response(body, status=HELD_STATUS, mimetype="application/json")


def answers_held(view):
    """Under ``blp.response``: a held request is answered 202 by ``answer``, an entry as usual."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        return answer(view(*args, **kwargs))

    return wrapper
