"""The Flask extensions, created unbound; ``create_app`` binds them.

Rate limits count a request against its API key only once the key has verified, so knowing a
key's id is not enough to exhaust its quota; every other request counts against its client
address. Refused keys also count against their address on a stricter limit
(``RATELIMIT_AUTH_FAILURES``), which throttles repeated wrong secrets without touching the key
they name. Quotas are told in the IETF ``RateLimit`` / ``RateLimit-Policy`` fields
(draft-ietf-httpapi-ratelimit-headers); ``Retry-After`` goes only on 429 (and on 503).
"""

import time
from http import HTTPStatus
from importlib import resources
from typing import TYPE_CHECKING

from flask import current_app, g, send_from_directory
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from limits import parse
from sqlalchemy.orm import Session

from api.openapi import ContractPlugin, problem_response
from api.problems import PROBLEM_MEDIA_TYPE, problem, problem_response_from_http_exception
from api.schemas import ProblemSchema
from ledger.capabilities import METADATA
from ledger.core.models import Base

# Base carries every capability's tables once ledger.capabilities is imported.
assert METADATA is Base.metadata


class _Database(SQLAlchemy):
    if TYPE_CHECKING:
        # db.session is a scoped_session, which hands every call to the current request's
        # Session: it is what the ledger's functions take, so it is typed as one.
        session: Session  # type: ignore[assignment]  # narrower than the base, on purpose


db = _Database(model_class=Base)
migrate = Migrate()

# Refused keys an address may send before it is throttled: a till that mistypes its key a few
# times is not hurt; a guesser is slowed to a trickle.
AUTH_FAILURE_RATE_LIMIT = "30 per minute"
# The name of the one quota policy, as the RateLimit fields refer to it.
RATE_LIMIT_POLICY = "default"
MIN_ERROR_STATUS = 400
# Swagger UI 5 (which renders OpenAPI 3.1), as shipped inside the flask-swagger-ui package.
SWAGGER_UI_FILES = str(resources.files("flask_swagger_ui") / "dist")


def _rate_limit_key() -> str:
    # g.principal is set only for a key that verified; a wrong secret counts by address.
    who = g.get("principal")
    if who is not None:
        return "key:" + who.key_id
    return "ip:" + get_remote_address()


def make_limiter() -> Limiter:
    """One limiter per app: Flask-Limiter keeps its default limits and storage on the instance,
    so one shared by several apps would count every app by the first app's limits."""
    return Limiter(key_func=_rate_limit_key)


def app_limiter() -> Limiter:
    return current_app.extensions["pointsbank.limiter"]


def _seconds_until(reset_at: float) -> int:
    return max(1, int(reset_at - time.time()))


def throttle_refused_keys(refusal):
    """The 401 ``refusal``, counted against the client address; 429 once it sent too many."""
    if not current_app.config.get("RATELIMIT_ENABLED"):
        return refusal
    limit = parse(current_app.config.get("RATELIMIT_AUTH_FAILURES", AUTH_FAILURE_RATE_LIMIT))
    address = get_remote_address()
    counter = app_limiter().limiter
    if counter.hit(limit, "auth-failures", address):
        return refusal
    reset_at, _ = counter.get_window_stats(limit, "auth-failures", address)
    return problem(
        429,
        "too-many-requests",
        "Too Many Requests",
        "Too many requests with a missing or wrong API key from this address; wait and retry.",
        headers={"Retry-After": str(_seconds_until(reset_at))},
    )


def rate_limit_fields(response):
    """after_request: the quota in RateLimit-Policy/RateLimit; Retry-After only on a 429."""
    if not current_app.config.get("RATELIMIT_ENABLED"):
        return response
    current = app_limiter().current_limit
    if current is None:
        return response
    amount, window = current.limit.amount, current.limit.get_expiry()
    left = _seconds_until(current.reset_at)
    response.headers["RateLimit-Policy"] = f'"{RATE_LIMIT_POLICY}";q={amount};w={window}'
    response.headers["RateLimit"] = f'"{RATE_LIMIT_POLICY}";r={current.remaining};t={left}'
    if response.status_code == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(left)
    return response


class ProblemApi(Api):
    """flask-smorest's Api, answering every HTTP error as application/problem+json, and
    documenting it so: one Problem schema, and each operation's error answers (api.openapi)."""

    # Each operation lists the statuses it can answer; no catch-all "default".
    DEFAULT_ERROR_RESPONSE_NAME = None
    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app, *, spec_kwargs=None):
        plugins = [ContractPlugin(app)]
        super().init_app(app, spec_kwargs={"extra_plugins": plugins, **(spec_kwargs or {})})
        self._register_docs_assets(app)

    def _register_responses(self):
        """A response component per status, lazily (only those referred to are published);
        every error one is a Problem as problem+json (flask-smorest's own are plain JSON)."""
        for status in HTTPStatus:
            if status >= MIN_ERROR_STATUS:
                response = problem_response(status)
                prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            else:
                response = {"description": status.phrase}
            self.spec.components.response(status.name, response, lazy=True)

    def _register_docs_assets(self, app):
        """Swagger UI's files, from the pinned flask-swagger-ui package (only its files are used,
        with flask-smorest's page): /docs needs no CDN."""
        prefix = app.config.get("OPENAPI_SWAGGER_UI_URL")
        if prefix and prefix.startswith("/"):
            app.add_url_rule(
                prefix + "<path:filename>",
                endpoint="docs_assets",
                view_func=lambda filename: send_from_directory(SWAGGER_UI_FILES, filename),
            )

    def handle_http_exception(self, error):
        return problem_response_from_http_exception(error)
