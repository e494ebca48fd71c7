"""Journal entries: read one, reverse one, and post staff adjustments."""

from flask_smorest import Blueprint

from api.auth import principal, roles, visible
from api.clock import now
from api.core.schemas import AdjustmentRequest, EntrySchema, ReversalRequest
from api.extensions import db
from api.writes import write
from ledger.capabilities import reverse_entry
from ledger.core import errors
from ledger.core.communities import get_account
from ledger.core.corrections import adjust, get_entry
from ledger.core.journal import PostingDraft

blp = Blueprint("entries", __name__, url_prefix="/v1", description="Journal entries")


def _may_read_entry(entry) -> bool:
    who = principal()
    if who.is_staff_of(entry.community_id):
        return True
    # Members and shops see entries that touch one of their own accounts.
    account_ids = {p.from_account_id for p in entry.postings} | {
        p.to_account_id for p in entry.postings
    }
    return any(who.may_read_account(get_account(db.session, a)) for a in sorted(account_ids))


@blp.route("/entries/<entry_id>")
@blp.response(200, EntrySchema)
def show(entry_id):
    """One journal entry with its postings."""
    entry = get_entry(db.session, entry_id)
    visible(_may_read_entry(entry), errors.EntryNotFound(entry=entry_id))
    return entry


@blp.route("/entries/<entry_id>/reversal", methods=["POST"])
@roles("staff")
@write
@blp.arguments(ReversalRequest)
@blp.response(201, EntrySchema)
def reverse(body, entry_id):
    """Undo a posted entry with a new entry that turns every posting round (staff)."""
    entry = get_entry(db.session, entry_id)
    visible(principal().is_staff_of(entry.community_id), errors.EntryNotFound(entry=entry_id))
    return reverse_entry(
        db.session, entry_id, reason=body["reason"], now=now(), api_key_id=principal().key_id
    )


@blp.route("/adjustments", methods=["POST"])
@roles("staff")
@write
@blp.arguments(AdjustmentRequest)
@blp.response(201, EntrySchema)
def create_adjustment(body):
    """A manual balanced entry with a required reason (staff, within their community)."""
    postings = [PostingDraft(**p) for p in body["postings"]]
    first = postings[0].from_account_id
    account = get_account(db.session, first)
    visible(principal().is_staff_of(account.community_id), errors.AccountNotFound(account=first))
    return adjust(
        db.session,
        community_id=account.community_id,
        postings=postings,
        reason=body["reason"],
        memo=body["memo"],
        now=now(),
        api_key_id=principal().key_id,
    )
