"""RFC 9457 problem details: the one place where errors become HTTP responses.

Ledger errors come in four families, mapped to a status here once; each rule names its own
``type`` slug and title, and the numbers it carries (``balance``, ``requested``...) become members
of the problem body. HTTP errors (404, 405, 413, 415, 422, 429...) get the same shape.
"""

import json
import logging
from typing import Any

from flask import Response, g, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import BadRequest, HTTPException

from api.dbstate import RETRYABLE_SQLSTATES, UNIQUE_VIOLATION, is_connection_lost, sqlstate
from ledger.approvals.errors import SecondPersonRequired
from ledger.core import errors

PROBLEM_TYPE_BASE = "/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

STATUS_BY_FAMILY = (
    # A rule about who may take the step, not about the books: the caller is forbidden it.
    (SecondPersonRequired, 403),
    (errors.NotFound, 404),
    (errors.Invalid, 422),
    (errors.Refused, 422),
    (errors.Conflict, 409),
)

log = logging.getLogger(__name__)


RESERVED_MEMBERS = ("type", "title", "status", "detail", "instance", "request_id")


def problem_body(status: int, slug: str, title: str, detail: str | None, members: dict) -> dict:
    """The problem document; a rule's number named like a standard member (say "status") is
    shown as "status_of_subject", so it never overwrites the HTTP status."""
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": title,
        "status": status,
        **({"detail": detail} if detail else {}),
        "instance": request.path,
        # The id of this request, as in the X-Request-Id header and the request's log line.
        **({"request_id": g.request_id} if "request_id" in g else {}),
    }
    for key, value in members.items():
        body[f"{key}_of_subject" if key in RESERVED_MEMBERS else key] = value
    return body


def ledger_problem_body(error: errors.LedgerError) -> dict:
    return problem_body(status_of(error), error.slug, error.title, error.detail, error.numbers)


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    headers=None,
    members: dict | None = None,
    **extra,
):
    """A problem+json response; ``members``/``extra`` add explaining fields."""
    body = problem_body(status, slug, title, detail, {**(members or {}), **extra})
    response = Response(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype=PROBLEM_MEDIA_TYPE,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def status_of(error: errors.LedgerError) -> int:
    for family, status in STATUS_BY_FAMILY:
        if isinstance(error, family):
            return status
    return 422


def ledger_problem(error: errors.LedgerError):
    return problem(status_of(error), error.slug, error.title, error.detail, members=error.numbers)


def _flatten(messages, path=()):
    """marshmallow's nested message dicts -> [{"field": "postings.0.amount", "message": ...}]."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield {
                "location": path[0] if path else "body",
                "field": ".".join(path[1:]),
                "message": message,
            }
    else:
        yield {
            "location": path[0] if path else "body",
            "field": ".".join(path[1:]),
            "message": str(messages),
        }


HTTP_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    429: "too-many-requests",
}


MALFORMED_JSON_DETAIL = "The body is not valid JSON; check for a placeholder or a stray comma."


def problem_response_from_http_exception(error: HTTPException):
    status = error.code or 500
    headers = {}
    valid_methods = getattr(error, "valid_methods", None)
    if status == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    for name in ("WWW-Authenticate", "Retry-After", "Allow"):
        original = error.get_response().headers.get(name) if error.response is None else None
        if original and name not in headers:
            headers[name] = original
    extra: dict[str, Any] = {}
    detail: str | None
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        extra["errors"] = list(_flatten(data["messages"]))
        detail = "The request body or query does not have the expected shape."
    elif status == 400 and request.is_json and error.description == BadRequest.description:
        # Werkzeug's own words ("The browser (or proxy) sent a request...") for a body that is
        # not JSON at all, such as a pasted example with a "..." placeholder left in it.
        detail = MALFORMED_JSON_DETAIL
    else:
        detail = data.get("message") or error.description
    return problem(
        status, HTTP_SLUGS.get(status, "http-error"), error.name, detail, headers=headers, **extra
    )


RETRY_AFTER_SECONDS = 1


# What PostgreSQL's trigger says of a posting to a closed account (migration 0011): a writer that
# read the account before a closing committed gets the ledger's own refusal, not a 500.
CLOSED_ACCOUNT_TRIGGER_MESSAGE = "account is closed"


def integrity_conflict(error: IntegrityError):
    """A unique key that a concurrent request took first: the loser is told to look again."""
    if CLOSED_ACCOUNT_TRIGGER_MESSAGE in str(error.orig):
        return ledger_problem(
            errors.AccountNotOpen(
                "an account of this entry was closed while it was written: it is closed",
                account_status="closed",
            )
        )
    if sqlstate(error) != UNIQUE_VIOLATION and "UNIQUE constraint failed" not in str(error.orig):
        return internal_error(error)
    return problem(
        409,
        "concurrent-conflict",
        "Conflict",
        "A concurrent request created the same thing first; read it, or retry.",
    )


# A restart of PostgreSQL takes a few seconds; a client retrying sooner only finds it down again.
DATABASE_RETRY_AFTER_SECONDS = 2


class WriteOutcomeUnknown(Exception):
    """The connection broke during or after COMMIT: the write may or may not have been kept."""


def database_unavailable(error: Exception):
    """The database could not be reached, or the connection broke before COMMIT was sent: the
    transaction died with the connection, so nothing was written."""
    log.warning("database unavailable: %s", error)
    return problem(
        503,
        "database-unavailable",
        "Service Unavailable",
        "The database could not be reached; nothing was written. Retry shortly.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def write_outcome_unknown(error: WriteOutcomeUnknown):
    """Never "nothing was written" here: the commit may have reached the disk before the
    connection broke. A retry with the same Idempotency-Key replays the write if it was kept."""
    log.warning("connection lost during commit: %s", error.__cause__)
    return problem(
        503,
        "write-outcome-unknown",
        "Service Unavailable",
        "The connection to the database broke while the write was being committed, so it may "
        "or may not have been recorded. Retry with the same Idempotency-Key: a write that was "
        "recorded is answered from its record and never made twice.",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
    )


def database_error(error: DBAPIError):
    """Any other database error: a lost connection is 503; anything else is our fault (500)."""
    if is_connection_lost(error):
        return database_unavailable(error)
    return internal_error(error)


def busy_database(error: OperationalError):
    """A lock wait that timed out, a deadlock or a serialization failure: safe to retry."""
    if is_connection_lost(error):
        return database_unavailable(error)
    if sqlstate(error) not in RETRYABLE_SQLSTATES:
        return internal_error(error)
    return problem(
        503,
        "busy",
        "Service Unavailable",
        "The ledger was busy with concurrent writes to the same accounts; retry.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def internal_error(error: Exception):
    # Log the trace for operators; the caller sees only that something failed on our side.
    log.exception("unhandled error", exc_info=error)
    return problem(
        500,
        "internal-error",
        "Internal Server Error",
        "The server failed to handle this request; nothing was written.",
    )


def register(app) -> None:
    app.register_error_handler(errors.LedgerError, ledger_problem)
    app.register_error_handler(HTTPException, problem_response_from_http_exception)
    app.register_error_handler(WriteOutcomeUnknown, write_outcome_unknown)
    app.register_error_handler(DBAPIError, database_error)
    app.register_error_handler(OperationalError, busy_database)
    app.register_error_handler(IntegrityError, integrity_conflict)
    app.register_error_handler(Exception, internal_error)
