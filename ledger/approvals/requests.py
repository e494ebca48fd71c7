"""Held staff writes: hold, approve (posting the entry then), reject, list.

A staff adjustment or love-bank grant either posts at once or, when ``rules.hold_reason`` says
so, is kept as an approval request: not an entry, so it moves no balance and holds nothing. Its
approval by a second person's key posts the entry through ``post_entry`` in the approving
transaction, so floors are tested at that moment; a refusal there leaves the request pending.
Rejection records who and why, and posts nothing. Each decision locks the request's row first
(``SELECT ... FOR UPDATE``; SQLite has one writer at a time), so a request is decided once.
A LedgerError raised by ``approve`` after the entry was posted leaves the caller's transaction
to roll back, as every write view does.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors as core_errors
from ledger.core.communities import system_account
from ledger.core.corrections import adjust, refuse_accounts_outside
from ledger.core.ids import new_id
from ledger.core.journal import EntryDraft, EntryRecord, PostingDraft, check_draft
from ledger.core.models import MEMO_MAX_LENGTH, UNITS, ApiKey
from ledger.core.paging import Page, keyset_page
from ledger.timebank.gifts import grant_to_love_bank

from . import errors, rules
from .models import APPROVAL_STATUSES, ApprovalRequest

Outcome = EntryRecord | ApprovalRequest  # posted at once, or held for a second person


def _postings_of(request: ApprovalRequest) -> list[PostingDraft]:
    return [PostingDraft(p["from"], p["to"], p["unit"], p["amount"]) for p in request.postings]


def _hold(
    session: Session,
    *,
    kind: str,
    community_id: str,
    postings: Sequence[PostingDraft],
    reason: str,
    memo: str,
    held_because: str,
    key: ApiKey,
    now: datetime,
) -> ApprovalRequest:
    request = ApprovalRequest(
        id=new_id("apr"),
        community_id=community_id,
        kind=kind,
        status="pending",
        held_because=held_because,
        postings=[
            {"from": p.from_account_id, "to": p.to_account_id, "unit": p.unit, "amount": p.amount}
            for p in postings
        ],
        reason=reason,
        memo=memo,
        requested_by_key_id=key.id,
        requested_by_person=rules.person_of(key),
        requested_at=now,
    )
    session.add(request)
    session.flush()
    return request


def adjust_or_hold(
    session: Session,
    *,
    community_id: str,
    postings: Sequence[PostingDraft],
    reason: str,
    memo: str = "",
    now: datetime,
    api_key_id: str,
) -> Outcome:
    """A staff adjustment: posted now, or held when it is above a threshold or for oneself."""
    key = session.get(ApiKey, api_key_id)
    held_because = rules.hold_reason(session, community_id, postings, key)
    if held_because is None or key is None:
        return adjust(
            session,
            community_id=community_id,
            postings=postings,
            reason=reason,
            memo=memo,
            now=now,
            api_key_id=api_key_id,
        )
    reason = core_errors.require_reason(reason)
    # The entry's own rules, checked now: a request that could never post is refused at once.
    check_draft(EntryDraft(community_id, "adjustment", list(postings), memo=memo or reason))
    refuse_accounts_outside(session, community_id, postings)
    return _hold(
        session,
        kind="adjustment",
        community_id=community_id,
        postings=postings,
        reason=reason,
        memo=memo,
        held_because=held_because,
        key=key,
        now=now,
    )


def grant_or_hold(
    session: Session,
    *,
    community_id: str,
    unit: str,
    amount: int,
    reason: str,
    now: datetime,
    api_key_id: str,
) -> Outcome:
    """A staff grant into the love bank: posted now, or held when above the threshold."""
    if unit not in UNITS:
        raise core_errors.UnknownUnit(unit=unit, units=list(UNITS))
    issuance = system_account(session, community_id, "issuance", unit)
    love_bank = system_account(session, community_id, "love_bank", unit)
    postings = [PostingDraft(issuance.id, love_bank.id, unit, amount)]
    key = session.get(ApiKey, api_key_id)
    held_because = rules.hold_reason(session, community_id, postings, key)
    if held_because is None or key is None:
        return grant_to_love_bank(
            session,
            community_id=community_id,
            unit=unit,
            amount=amount,
            reason=reason,
            now=now,
            api_key_id=api_key_id,
        )
    reason = core_errors.require_reason(reason, max_length=MEMO_MAX_LENGTH)
    check_draft(EntryDraft(community_id, "grant", postings, memo=reason))
    return _hold(
        session,
        kind="grant",
        community_id=community_id,
        postings=postings,
        reason=reason,
        memo="",
        held_because=held_because,
        key=key,
        now=now,
    )


def get_request(session: Session, request_id: str) -> ApprovalRequest:
    found = session.get(ApprovalRequest, request_id)
    if found is None:
        raise errors.ApprovalNotFound(approval=request_id)
    return found


def _pending_locked(session: Session, request_id: str) -> ApprovalRequest:
    """The request, its row locked until commit, if it is still pending."""
    found = session.scalars(
        sa.select(ApprovalRequest)
        .where(ApprovalRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise errors.ApprovalNotFound(approval=request_id)
    if found.status != "pending":
        raise errors.ApprovalNotPending(approval=request_id, approval_status=found.status)
    return found


def _post(session: Session, request: ApprovalRequest, now: datetime) -> EntryRecord:
    """The entry the request stood for, posted as asked by the requesting key."""
    postings = _postings_of(request)
    if request.kind == "grant":
        return grant_to_love_bank(
            session,
            community_id=request.community_id,
            unit=postings[0].unit,
            amount=postings[0].amount,
            reason=request.reason,
            now=now,
            api_key_id=request.requested_by_key_id,
            cause_id=request.id,
        )
    return adjust(
        session,
        community_id=request.community_id,
        postings=postings,
        reason=request.reason,
        memo=request.memo,
        now=now,
        api_key_id=request.requested_by_key_id,
        cause_id=request.id,
    )


def _decide(request: ApprovalRequest, approver: ApiKey, status: str, now: datetime) -> None:
    request.status = status
    request.decided_by_key_id = approver.id
    request.decided_by_person = rules.person_of(approver)
    request.decided_at = now


def approve(
    session: Session, request_id: str, *, approver_key_id: str, now: datetime
) -> ApprovalRequest:
    """Approve with a second person's key: the entry is posted now, floors tested now."""
    request = _pending_locked(session, request_id)
    requester = session.get_one(ApiKey, request.requested_by_key_id)  # a foreign key: it exists
    approver = session.get(ApiKey, approver_key_id)
    if approver is None:
        raise errors.SecondPersonRequired("the approving key is unknown", rule="different-key")
    refusal = rules.refusal_to_approve(session, requester, approver, _postings_of(request))
    if refusal is not None:
        raise refusal
    record = _post(session, request, now)
    _decide(request, approver, "approved", now)
    request.entry_id = record.id
    session.flush()
    return request


def reject(
    session: Session, request_id: str, *, key_id: str, reason: str, now: datetime
) -> ApprovalRequest:
    """Reject (or, by its requester, withdraw) a held request: nothing is posted; who and why
    are kept."""
    reason = core_errors.require_reason(reason, max_length=MEMO_MAX_LENGTH)
    request = _pending_locked(session, request_id)
    key = session.get(ApiKey, key_id)
    if key is None:
        raise errors.SecondPersonRequired("the rejecting key is unknown", rule="different-key")
    _decide(request, key, "rejected", now)
    request.decision_reason = reason
    session.flush()
    return request


def list_requests(
    session: Session,
    community_id: str,
    *,
    status: str | None = "pending",
    limit: int,
    cursor: str | None = None,
) -> Page:
    """A community's approval requests, oldest first; by default the pending ones (the desk)."""
    if status is not None and status not in APPROVAL_STATUSES:
        raise core_errors.Invalid("unknown approval status", statuses=list(APPROVAL_STATUSES))
    query = sa.select(ApprovalRequest).where(ApprovalRequest.community_id == community_id)
    if status is not None:
        query = query.where(ApprovalRequest.status == status)
    return keyset_page(session, query, ApprovalRequest.id, limit=limit, cursor=cursor)


def pending_for(session: Session, community_id: str, *, limit: int) -> list[ApprovalRequest]:
    """The staff desk's list: a community's requests waiting for a second person, oldest first."""
    return list(list_requests(session, community_id, limit=limit).items)
