"""A member's consent to redemptions: one-time codes and the PIN (the member's own key, or staff).

Neither endpoint accepts an Idempotency-Key: the stored response (or request fingerprint) would
keep the code or the PIN, which must exist only as hashes. Asking again is safe anyway: a new
code is simply another code, and setting the same PIN twice changes nothing.
"""

from flask import abort, request

from api import access
from api.auth import principal, roles
from api.clock import now
from api.extensions import db
from api.openapi import no_idempotency_key
from api.smorest import Blueprint
from api.supermarket.schemas import ConsentCodeSchema, PinRequest
from api.writes import write
from ledger.supermarket import consent

blp = Blueprint("consent", __name__, url_prefix="/v1/members", description="Redemption consent")


def _member_keeping_no_secret(member_id: str):
    """The member (themself, or staff), refusing an Idempotency-Key that would store a secret."""
    if request.headers.get("Idempotency-Key") is not None:
        abort(400, "this endpoint does not take an Idempotency-Key: it would store a secret")
    return access.member(member_id)


@blp.route("/<member_id>/consent-codes", methods=["POST"])
@no_idempotency_key
@roles("member", "staff")
@write
@blp.response(201, ConsentCodeSchema)
def issue_code(member_id):
    """A one-time code the member shows at the till (short-lived, single use)."""
    member = _member_keeping_no_secret(member_id)
    return consent.hand_out_code(db.session, member, now=now(), api_key_id=principal().key_id)


@blp.route("/<member_id>/pin", methods=["PUT"])
@no_idempotency_key
@roles("member", "staff")
@write
@blp.arguments(PinRequest)
@blp.response(204)
def set_pin(body, member_id):
    """Set or change the member's redemption PIN (stored only as a slow salted hash)."""
    consent.set_pin(db.session, _member_keeping_no_secret(member_id), body["pin"], now=now())
