"""Journal entries: read one, reverse one, and post staff adjustments."""

from api import access
from api.approvals.outcome import HELD_DESCRIPTION, HELD_STATUS, answers_held
from api.approvals.schemas import ApprovalSchema
from api.auth import principal, roles
from api.clock import now
from api.core.schemas import AdjustmentRequest, EntrySchema, ReversalRequest
from api.extensions import db
from api.smorest import Blueprint
from api.writes import write
from ledger.approvals.requests import adjust_or_hold
from ledger.capabilities import reverse_entry
from ledger.core.journal import PostingDraft

blp = Blueprint("entries", __name__, url_prefix="/v1", description="Journal entries")


@blp.route("/entries/<entry_id>")
@blp.response(200, EntrySchema)
def show(entry_id):
    """One journal entry with its postings."""
    return access.entry(entry_id)


@blp.route("/entries/<entry_id>/reversal", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ReversalRequest)
@blp.response(201, EntrySchema)
def reverse(body, entry_id):
    """Undo a posted entry with a new entry that turns every posting round (staff)."""
    access.staff_entry(entry_id)
    return reverse_entry(
        db.session, entry_id, reason=body["reason"], now=now(), api_key_id=principal().key_id
    )


@blp.route("/adjustments", methods=["POST"])
@roles("staff")
@write
@blp.arguments(AdjustmentRequest)
@blp.response(201, EntrySchema)
@blp.alt_response(HELD_STATUS, schema=ApprovalSchema, description=HELD_DESCRIPTION)
@answers_held
def create_adjustment(body):
    """A manual balanced entry with a required reason (staff, within their community).

    Above the community's approval threshold, or crediting the requesting staff member's own
    account, it is held (202) until a second person approves it."""
    postings = [PostingDraft(**p) for p in body.pop("postings")]
    account = access.staff_account(postings[0].from_account_id)
    return adjust_or_hold(
        db.session,
        community_id=account.community_id,
        postings=postings,
        now=now(),
        api_key_id=principal().key_id,
        **body,
    )
