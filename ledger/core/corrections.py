"""Corrections: reversing entries and staff adjustments. History is never edited.

A reversal is a new entry with every posting turned round, pointing at the original through
``reverses_id`` (unique in the database, so an entry is reversed at most once). The capability
that owns the entry's kind then follows up (reversing an award voids its event, so it stops
counting against the member's caps). An adjustment is a manual balanced entry that must say why.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import errors
from .journal import EntryDraft, EntryRecord, PostingDraft, post_entry
from .lookup import get_or_raise
from .models import Account, Entry

# What a capability does when an entry of one of its kinds is reversed: (session, original,
# reason, now). Handed over by each capability through ``ledger.capabilities``.
ReversalFollowup = Callable[[Session, Entry, str, datetime], None]

# Kinds whose own workflow keeps books beside the journal (refunds return stock and are netted in
# settlements): reversing them directly would leave those books wrong, so they are undone there.
UNDONE_BY_THEIR_OWN_WORKFLOW = {
    "redemption": "refund",
    "refund": "redemption",
    "settlement": "settlement",
}


def get_entry(session: Session, entry_id: str) -> Entry:
    return get_or_raise(session, Entry, entry_id, errors.EntryNotFound, entry=entry_id)


def reverse_entry(
    session: Session,
    entry_id: str,
    *,
    reason: str,
    now: datetime,
    api_key_id: str | None = None,
    followups: Mapping[str, ReversalFollowup] | None = None,
) -> EntryRecord:
    """Post the reversing entry, then let the capability that owns the kind follow up."""
    reason = errors.require_reason(reason)
    original = get_entry(session, entry_id)
    if original.status != "posted" or original.kind == "reversal":
        raise errors.NotReversible(entry=entry_id, entry_status=original.status, kind=original.kind)
    if original.kind in UNDONE_BY_THEIR_OWN_WORKFLOW:
        raise errors.NotReversible(
            f"a {original.kind} entry is corrected through its {original.kind} workflow "
            f"(a {UNDONE_BY_THEIR_OWN_WORKFLOW[original.kind]}), not by reversal",
            entry=entry_id,
            kind=original.kind,
        )
    if session.query(Entry.id).filter(Entry.reverses_id == entry_id).first() is not None:
        raise errors.AlreadyReversed(entry=entry_id)
    draft = EntryDraft(
        community_id=original.community_id,
        kind="reversal",
        postings=[
            PostingDraft(p.to_account_id, p.from_account_id, p.unit, p.amount)
            for p in original.postings
        ],
        memo=reason,
        details={"reason": reason, "reversed_kind": original.kind},
        reverses_id=original.id,
        cause_id=original.cause_id,
        api_key_id=api_key_id,
    )
    record = post_entry(session, draft, now=now)
    followup = (followups or {}).get(original.kind)
    if followup is not None:
        followup(session, original, reason, now)
    return record


def refuse_accounts_outside(session: Session, community_id: str, postings) -> None:
    """An account of another community is answered exactly as one that does not exist: a
    distinct refusal would tell a caller that the other community's account is there."""
    ids = sorted({a for p in postings for a in (p.from_account_id, p.to_account_id)})
    rows = session.execute(sa.select(Account.id, Account.community_id).where(Account.id.in_(ids)))
    community_of = {account_id: community for account_id, community in rows}
    for account_id in ids:
        if community_of.get(account_id) != community_id:
            # The journal's own words for an unknown id, so the two bodies cannot be told apart.
            raise errors.AccountNotFound(f"no account {account_id}", account=account_id)


def adjust(
    session: Session,
    *,
    community_id: str,
    postings: Sequence[PostingDraft],
    reason: str,
    memo: str = "",
    now: datetime,
    api_key_id: str | None = None,
    cause_id: str | None = None,
) -> EntryRecord:
    """Post a staff adjustment; ``cause_id`` names what led to it (an approval request)."""
    reason = errors.require_reason(reason)
    refuse_accounts_outside(session, community_id, postings)
    draft = EntryDraft(
        community_id=community_id,
        kind="adjustment",
        postings=list(postings),
        memo=memo or reason,
        details={"reason": reason},
        cause_id=cause_id,
        api_key_id=api_key_id,
    )
    return post_entry(session, draft, now=now)
