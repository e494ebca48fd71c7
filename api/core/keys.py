"""API keys, for admins: list, show, create, revoke, rotate. Tokens are shown once, at issue."""

from api.auth import roles
from api.clock import now
from api.core.schemas import ApiKeyCreate, ApiKeyPage, ApiKeyRotation, ApiKeySchema, IssuedKeySchema
from api.extensions import db
from api.schemas import PageQuery
from api.smorest import Blueprint
from api.writes import write
from ledger.core import apikeys

blp = Blueprint("keys", __name__, url_prefix="/v1", description="API keys (admin)")


@blp.route("/keys")
@roles()
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, ApiKeyPage)
def index(limit, cursor=None):
    """Every key, revoked and expired ones included, newest first (admin)."""
    return apikeys.list_keys(db.session, now=now(), limit=limit, cursor=cursor)


@blp.route("/keys", methods=["POST"])
@roles()
@write
@blp.arguments(ApiKeyCreate)
@blp.response(201, IssuedKeySchema)
def create(body):
    """Create a key; the token is in this answer only (admin)."""
    return apikeys.issue_key(db.session, now=now(), **body)


@blp.route("/keys/<key_id>")
@roles()
@blp.response(200, ApiKeySchema)
def show(key_id):
    """One key: its role, reach, label, times and state (admin)."""
    return apikeys.show_key(db.session, key_id, now())


@blp.route("/keys/<key_id>/revocation", methods=["POST"])
@roles()
@write
@blp.response(200, ApiKeySchema)
def revoke(key_id):
    """Revoke a key: its next request is 401; revoking again keeps the first time (admin)."""
    return apikeys.revoke_key(db.session, key_id, now())


@blp.route("/keys/<key_id>/rotation", methods=["POST"])
@roles()
@write
@blp.arguments(ApiKeyRotation)
@blp.response(200, IssuedKeySchema)
def rotate(body, key_id):
    """A new secret for the same key id; the old token is 401 at once (admin)."""
    return apikeys.rotate_key(db.session, key_id, now(), **body)
