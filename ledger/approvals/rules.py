"""When a staff write waits for a second person, and who counts as a second person.

- A community may set, per unit, the largest amount (``max_amount``) a staff adjustment or
  love-bank grant may move alone; an entry moving more of a unit (its postings of that unit
  summed) waits. Without a threshold nothing waits for its size.
- An adjustment that credits an account of the member the requesting key belongs to (a staff
  key that names a member: staff who are residents) always waits, whatever its size.
- The person behind a key: the member it names, else its label (case and surrounding spaces
  ignored), else the key alone. Two keys of one member, or two keys labelled with one name, are
  one person: neither approves what the other asked for, and no key approves its own request.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.journal import MAX_AMOUNT, PostingDraft
from ledger.core.models import UNITS, Account, ApiKey

from . import errors
from .models import ApprovalThreshold

ABOVE_THRESHOLD, OWN_ACCOUNT = "above_threshold", "own_account"


def person_of(key: ApiKey) -> str:
    """Who holds ``key``, as approvals compare people (see the module's docstring)."""
    if key.member_id:
        return f"member:{key.member_id}"
    label = (key.label or "").strip().casefold()
    return f"label:{label}" if label else f"key:{key.id}"


def thresholds(session: Session, community_id: str) -> dict[str, int | None]:
    """{unit: max_amount or None} for every unit, of one community."""
    found = dict(
        session.execute(
            sa.select(ApprovalThreshold.unit, ApprovalThreshold.max_amount).where(
                ApprovalThreshold.community_id == community_id
            )
        ).all()
    )
    return {unit: found.get(unit) for unit in UNITS}


def set_thresholds(
    session: Session, community_id: str, limits: dict[str, int | None], *, now: datetime
) -> dict[str, int | None]:
    """Set (or, with None, lift) the threshold of each unit given; the others stay."""
    for unit, max_amount in limits.items():
        if unit not in UNITS:
            raise errors.ThresholdInvalid(unit=unit, units=list(UNITS))
        if max_amount is not None and (
            type(max_amount) is not int or not 0 < max_amount <= MAX_AMOUNT
        ):
            raise errors.ThresholdInvalid(unit=unit, max_amount=max_amount)
        row = session.get(ApprovalThreshold, (community_id, unit))
        if max_amount is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                ApprovalThreshold(
                    community_id=community_id, unit=unit, max_amount=max_amount, updated_at=now
                )
            )
        else:
            row.max_amount, row.updated_at = max_amount, now
    session.flush()
    return thresholds(session, community_id)


def _credits_member(session: Session, postings: Sequence[PostingDraft], member_id: str) -> bool:
    credited = sorted({p.to_account_id for p in postings})
    owners = session.scalars(sa.select(Account.owner_id).where(Account.id.in_(credited)))
    return member_id in set(owners)


def hold_reason(
    session: Session, community_id: str, postings: Sequence[PostingDraft], key: ApiKey | None
) -> str | None:
    """Why this staff write must wait for a second person, or None if it may post now."""
    if key is not None and key.member_id and _credits_member(session, postings, key.member_id):
        return OWN_ACCOUNT
    limits = thresholds(session, community_id)
    for unit, max_amount in limits.items():
        moved = sum(p.amount for p in postings if p.unit == unit)
        if max_amount is not None and moved > max_amount:
            return ABOVE_THRESHOLD
    return None


def refusal_to_approve(
    session: Session, requester: ApiKey, approver: ApiKey, postings: Sequence[PostingDraft]
) -> errors.SecondPersonRequired | None:
    """The rule an approval by ``approver`` would break, or None if it may approve."""
    if approver.id == requester.id:
        return errors.SecondPersonRequired(
            "the key that asked for this cannot approve it: a second person's key must",
            rule="different-key",
        )
    if person_of(approver) == person_of(requester):
        return errors.SecondPersonRequired(
            "this key belongs to the person who asked for this: a second person must approve",
            rule="different-person",
        )
    if approver.member_id and _credits_member(session, postings, approver.member_id):
        return errors.ApproverIsBeneficiary(
            "this request credits the approver's own account", rule="not-the-beneficiary"
        )
    return None
