"""The app factory: configuration, the database engine's settings, hooks and blueprints.

Data flows one way: request -> schema -> access (load + authorise) -> one ledger call -> commit
-> schema -> response.
"""

import json
import os
import re
import secrets

from flask import Flask, abort, g, request
from flask.json.provider import DefaultJSONProvider

from api import (
    approvals,
    audit,
    core,
    earning,
    expiry,
    gatherings,
    membership,
    observability,
    pages,
    problems,
    reads,
    smorest,
    supermarket,
    timebank,
    webhooks,
)
from api.auth import load_principal
from api.config import (  # noqa: F401  MAX_BODY_BYTES: tests and benches read it here
    MAX_BODY_BYTES,
    MAX_JSON_DEPTH,
    MIGRATIONS_DIR,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    defaults,
    instance_path,
)
from api.core import health
from api.extensions import (
    ProblemApi,
    db,
    make_limiter,
    migrate,
    rate_limit_fields,
    throttle_refused_keys,
)
from ledger.core.clock import Clock
from ledger.core.engine import configure_postgresql, configure_sqlite

JSON_METHODS = {"POST", "PUT", "PATCH"}
SECRET_KEY_BYTES = 32
# Blueprints are registered in this order, which is the order of /openapi.json's paths and tags.
CAPABILITIES = (
    core,
    supermarket,
    timebank,
    earning,
    audit,
    webhooks,
    pages,
    expiry,
    gatherings,
    approvals,
    membership,
)
# Blueprints of HTML pages: forms post form-encoded bodies, and they are not in /openapi.json.
PAGE_BLUEPRINTS = frozenset(b.name for c in CAPABILITIES for b in getattr(c, "PAGES", ()))


def _secret_key(instance_path: str) -> str:
    """A stable server secret: POINTSBANK_SECRET_KEY, or one made once and kept in instance/.

    It keys the fingerprints of idempotent requests, so that a stored fingerprint of a body
    holding a PIN cannot be brute-forced by someone who can read the database.
    """
    path = os.path.join(instance_path, "secret_key")
    os.makedirs(instance_path, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(SECRET_KEY_BYTES))
    with open(path, encoding="ascii") as handle:
        return handle.read().strip()


def _refuse_unstorable_paths():
    """A path with a NUL byte names nothing that can exist (PostgreSQL text cannot hold one)."""
    if "\x00" in request.path:
        return problems.problem(404, "not-found", "Not Found", "No such resource.")
    return None


def _require_json():
    """Bodies of POST/PUT/PATCH are JSON: anything else is 415 before any parsing."""
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    # request.blueprints: an area nested in the pages blueprint ("pages.desk") posts forms too.
    is_form = not PAGE_BLUEPRINTS.isdisjoint(request.blueprints)
    if request.method in JSON_METHODS and has_body and not request.is_json and not is_form:
        return problems.problem(
            415,
            "unsupported-media-type",
            "Unsupported Media Type",
            "Send the body as application/json.",
        )
    return None


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit``; brackets inside strings are text."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if bracket.group() in "[{" else -1
        if depth > limit:
            return True
    return False


class DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _object_refusing_duplicates(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def _refuse_ambiguous_json():
    """Refuse, before any parser recurses into it, JSON nested deeper than MAX_JSON_DEPTH or
    naming one key twice in an object (which value counts would be the parser's guess).

    Reading the body here also turns a chunked body over MAX_BODY_BYTES into 413. Malformed
    JSON is left to the schema layer, which already answers it.
    """
    if request.method not in JSON_METHODS or not request.is_json:
        return None
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        # A chunked body is cut at the limit by Werkzeug, which would leave truncated JSON
        # (a 400); a body that reached the limit is refused as too large, as a declared one is.
        abort(413)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if json_nesting_exceeds(text, MAX_JSON_DEPTH):
        detail = f"The JSON body nests arrays or objects deeper than {MAX_JSON_DEPTH} levels."
        return problems.problem(400, "json-too-deep", "Bad Request", detail)
    try:
        parsed = json.loads(text, object_pairs_hook=_object_refusing_duplicates)
    except DuplicateKey as duplicate:
        detail = f"The JSON body names the key {duplicate.key!r} twice in one object."
        return problems.problem(
            400, "duplicate-json-key", "Bad Request", detail, duplicate_key=duplicate.key
        )
    except ValueError:
        return None
    setattr(g, smorest.PARSED_JSON, parsed)  # the arguments parser takes it: one parse a body
    return None


def _authenticate():
    """Verify the key before the rate limiter counts, so it counts a verified key by its id;
    a refusal is kept and answered after the count (see ``_answer_refusal``)."""
    refusal = load_principal()
    if refusal is not None:
        g.authentication_refusal = refusal
    return None


def _answer_refusal():
    refusal = g.pop("authentication_refusal", None)
    return None if refusal is None else throttle_refused_keys(refusal)


def _database_settings(app: Flask) -> None:
    """SQLite needs its instance folder and a busy timeout on every connection. A server
    database's pooled connections prove they are alive at checkout with the transaction's own
    BEGIN (ledger/core/engine.py), which replaces pool pre-ping and its extra round trip."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_SECONDS}}
        )


class PointsbankFlask(Flask):
    """Flask, remembering which views and hooks are coroutine functions.

    Flask asks ``inspect`` again at every call of every view and hook (fifteen a balance read
    here), about a twentieth of a read's CPU; what a function is does not change.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._made_sync: dict = {}

    def ensure_sync(self, func):
        made = self._made_sync.get(func)
        if made is None:
            made = self._made_sync[func] = super().ensure_sync(func)
        return made


def create_app(config: dict | None = None) -> Flask:
    app = PointsbankFlask(__name__, instance_path=instance_path())
    app.config.update(defaults(app.instance_path))
    app.config.from_prefixed_env("POINTSBANK")
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    _database_settings(app)
    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own, which has these settings
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["pointsbank.clock"] = app.config.get("CLOCK") or Clock()

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, compare_type=True)
    api = ProblemApi(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, reads_only=reads.reads_only)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(
                db.engine,
                lock_timeout_ms=app.config["LOCK_TIMEOUT_MS"],
                outside_transaction=reads.outside_transaction,
            )

    problems.register(app)
    app.before_request(_refuse_unstorable_paths)
    app.before_request(_require_json)
    app.before_request(_authenticate)
    # The limiter's own before_request hook goes here: after authentication, before a refusal.
    limiter = app.extensions["pointsbank.limiter"] = make_limiter()
    limiter.init_app(app)
    app.before_request(_answer_refusal)
    app.after_request(rate_limit_fields)
    app.after_request(reads.end_read_with_commit)
    app.teardown_request(reads.release_connection_read_outside_transaction)

    for capability in CAPABILITIES:
        for blueprint in capability.BLUEPRINTS:
            api.register_blueprint(blueprint)
            # After the blueprint's own hooks, which may raise the body limit for an endpoint
            # (a batch of events) before the body is first read.
            app.before_request_funcs.setdefault(blueprint.name, []).append(_refuse_ambiguous_json)
        for blueprint in getattr(capability, "PAGES", ()):
            app.register_blueprint(blueprint)
    limiter.exempt(health.blp)
    observability.init_app(app)
    return app
