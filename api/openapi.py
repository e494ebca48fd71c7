"""The answers /openapi.json lists beyond each view's own decorators.

A view documents its success answer and its arguments. Its error answers come mostly from the
hooks around it (authentication, the rate limiter, the JSON guards, access, the write boundary,
the database's error handlers), so they are documented here once, from the same facts those
hooks act on: a path under /v1, a write (``write``).
"""

from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

from api.schemas import ProblemSchema
from ledger.core.models import IDEMPOTENCY_KEY_MAX_LENGTH

V1_PREFIX = "/v1/"
WRITE_METHODS = {"post", "put", "patch"}
# Any /v1 request: a missing or wrong key, a key whose role or reach may not do this (``roles``
# or the access checks), something named (in the path or the body) that does not exist or is not
# the caller's, the quota, the database down or busy, our own bug.
EVERY_V1_STATUS = (401, 403, 404, 429, 500, 503)
# A body: malformed or ambiguous JSON and a bad Idempotency-Key (400), an Idempotency-Key in
# flight or a concurrent duplicate (409), too large (413), not JSON (415), refused (422).
WRITE_STATUS = (400, 409, 413, 415, 422)
# Attribute names the decorators set on a view, so this plugin can read what they enforce.
WRITE_MARK = "pointsbank_write"
NO_IDEMPOTENCY_KEY_MARK = "pointsbank_no_idempotency_key"

RATE_LIMIT_HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit": {
        "description": 'The quota left: "default";r=<requests left>;t=<seconds to reset>.',
        "schema": {"type": "string"},
    },
    "RateLimit-Policy": {
        "description": 'The quota: "default";q=<requests>;w=<window in seconds>.',
        "schema": {"type": "string"},
    },
}
RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}
IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Replays the kept answer of a retried write instead of writing twice.",
    "schema": {
        "type": "string",
        "pattern": f"^[\\x21-\\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}$",
    },
}


def marked(view, mark: str):
    """The mark a decorator left on ``view`` or on any view it wraps (None if none did)."""
    while view is not None:
        if hasattr(view, mark):
            return getattr(view, mark)
        view = getattr(view, "__wrapped__", None)
    return None


def no_idempotency_key(view):
    """Documents that a write refuses an Idempotency-Key (its kept answer would hold a secret)."""
    setattr(view, NO_IDEMPOTENCY_KEY_MARK, True)
    return view


def problem_response(status: int) -> dict:
    """The shared component for an error status (before ``prepare_response`` gives it its media
    type): a Problem, with Retry-After where it is sent."""
    headers = dict(RATE_LIMIT_HEADERS)
    if status == 429:
        headers["Retry-After"] = {**RETRY_AFTER, "required": True}
    elif status == 503:
        headers["Retry-After"] = RETRY_AFTER
    return {"description": HTTPStatus(status).phrase, "schema": ProblemSchema, "headers": headers}


def response_name(status: int) -> str:
    return HTTPStatus(status).name


class ContractPlugin(BasePlugin):
    """Adds to each operation the error answers, headers and security it really has."""

    def __init__(self, app):
        super().__init__()
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        view = self.app.view_functions.get(rule.endpoint) if rule is not None else None
        for method, operation in (operations or {}).items():
            if method in WRITE_METHODS | {"get", "delete"}:
                self._complete(path, method, operation, view)

    def _complete(self, path, method, operation, view):
        responses = operation.setdefault("responses", {})
        if not path.startswith(V1_PREFIX):
            operation["security"] = []
            return
        statuses = set(EVERY_V1_STATUS)
        if method in WRITE_METHODS and marked(view, WRITE_MARK):
            statuses.update(WRITE_STATUS)
            if not marked(view, NO_IDEMPOTENCY_KEY_MARK):
                operation.setdefault("parameters", []).append(dict(IDEMPOTENCY_KEY_PARAMETER))
        for status in sorted(statuses):
            responses.setdefault(str(status), response_name(status))
        for status, response in responses.items():
            if isinstance(response, dict) and str(status).startswith("2"):
                response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
