"""Closing a member who leaves: her remainder to a named member or the love bank, in one entry.

- The recipient is another open member of her community (family, as gifts mean it) or the
  community's love bank (爱心银行).
- Everything she holds moves in ONE "transfer" entry (a posting per unit she has any of), then
  every account of hers is closed: the journal refuses new postings to or from a closed account
  (``post_entry``, and on PostgreSQL a trigger on ``postings``). Her statements, balances and the
  reports still show the accounts, with status ``closed``. With nothing left, nothing is posted.
- Nothing of hers may be on hold (a redemption or a service under way): those finish or are
  released first. Expired redemption holds are released on the way. Minutes below zero (help
  received on the time floor's credit) are not passed on to anyone: they are settled first.
- Her balance rows and the recipient's are locked (in id order) before they are read, so what
  is read is what moves, even beside concurrent writes. Her member keys are revoked.
"""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors as core_errors
from ledger.core.communities import get_member, member_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry
from ledger.core.models import MEMO_MAX_LENGTH, UNITS, Account, AccountBalance, ApiKey, Member
from ledger.supermarket.redemptions import release_expired_holds

from . import errors
from .models import MemberClosing

LOVE_BANK = "love_bank"  # the ``to`` of a closing whose remainder goes to the love bank


def lock_balances(session: Session, account_ids: Iterable[str]) -> dict[str, tuple[int, int, int]]:
    """{account id: (posted, pending_in, pending_out)}, each account's rows locked until commit,
    taken in sorted (account, shard) order as ``post_entry`` takes them."""
    rows = session.execute(
        sa.select(
            AccountBalance.account_id,
            AccountBalance.posted,
            AccountBalance.pending_in,
            AccountBalance.pending_out,
        )
        .where(AccountBalance.account_id.in_(sorted(set(account_ids))))
        .order_by(AccountBalance.account_id, AccountBalance.shard)
        .with_for_update()
    ).all()
    found: dict[str, tuple[int, int, int]] = {}
    for account_id, posted, pending_in, pending_out in rows:
        before = found.get(account_id, (0, 0, 0))
        found[account_id] = (before[0] + posted, before[1] + pending_in, before[2] + pending_out)
    return found


def closing_of(session: Session, member_id: str) -> MemberClosing | None:
    return session.get(MemberClosing, member_id)


def get_closing(session: Session, member_id: str) -> MemberClosing:
    found = closing_of(session, member_id)
    if found is None:
        raise errors.ClosingNotFound(member=member_id)
    return found


def open_member(session: Session, member_id: str) -> Member:
    """The member, if she has not been closed."""
    member = get_member(session, member_id)
    if closing_of(session, member.id) is not None:
        raise errors.MemberClosed(member=member.id)
    return member


def _targets(session: Session, member: Member, to: str) -> dict[str, Account]:
    """{unit: the account her remainder in that unit goes to}."""
    if to == LOVE_BANK:
        return {u: system_account(session, member.community_id, LOVE_BANK, u) for u in UNITS}
    recipient = session.get(Member, to)
    if (
        recipient is None
        or recipient.community_id != member.community_id
        or closing_of(session, recipient.id) is not None
    ):
        raise errors.ClosingRecipientNotFound(member=to)
    if recipient.id == member.id:
        raise errors.CannotCloseToSelf(member=to)
    return {u: member_account(session, recipient.id, u) for u in UNITS}


def _remainder(member: Member, own: dict[str, Account], held) -> dict[str, int]:
    """{unit: what she has posted}, refusing holds and minutes below zero."""
    remainder = {}
    for unit, account in own.items():
        posted, pending_in, pending_out = held.get(account.id, (0, 0, 0))
        if pending_in or pending_out:
            raise errors.MemberHasHolds(
                member=member.id, account=account.id, pending_in=pending_in, pending_out=pending_out
            )
        if posted < 0:
            raise errors.MemberOwesMinutes(member=member.id, account=account.id, balance=posted)
        remainder[unit] = posted
    return remainder


def close_member(
    session: Session,
    member_id: str,
    *,
    to: str,
    reason: str,
    now: datetime,
    api_key_id: str | None = None,
) -> MemberClosing:
    """Pass her remainder on in one entry, then close her accounts (see the module docstring)."""
    reason = core_errors.require_reason(reason, max_length=MEMO_MAX_LENGTH)
    member = open_member(session, member_id)
    targets = _targets(session, member, to)
    release_expired_holds(session, member.id, now=now)
    own = {unit: member_account(session, member.id, unit) for unit in UNITS}
    held = lock_balances(session, [a.id for a in (*own.values(), *targets.values())])
    remainder = _remainder(member, own, held)
    postings = [
        PostingDraft(own[unit].id, targets[unit].id, unit, amount)
        for unit, amount in remainder.items()
        if amount > 0
    ]
    entry_id = None
    if postings:
        details = {"closing": member.id, "to": LOVE_BANK if to == LOVE_BANK else to}
        draft = EntryDraft(
            community_id=member.community_id,
            kind="transfer",
            postings=postings,
            memo=reason,
            details=details,
            cause_id=member.id,
            api_key_id=api_key_id,
        )
        entry_id = post_entry(session, draft, now=now).id
    for account in own.values():
        account.status = "closed"
    session.execute(
        sa.update(ApiKey)
        .where(ApiKey.member_id == member.id, ApiKey.role == "member", ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    closing = MemberClosing(
        member_id=member.id,
        to_member_id=None if to == LOVE_BANK else to,
        to_love_bank=to == LOVE_BANK,
        entry_id=entry_id,
        reason=reason,
        api_key_id=api_key_id,
        closed_at=now,
    )
    session.add(closing)
    session.flush()
    return closing
