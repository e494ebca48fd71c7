"""Gifts between members, donations to the love bank (爱心银行), and staff grants into it.

- A gift moves points or minutes from a member to another member of the same community (time
  credits to a parent, say): one "transfer" entry. A member of another community is answered
  exactly as one that does not exist.
- A donation moves a member's points or minutes to the community's love bank: one "donation"
  entry. Services funded by the love bank draw on it (see ``timebank``).
- Members give only what they have: a gift or donation never takes the giver's available balance
  below ``GIVING_FLOOR``, even where the community's time floor lets minutes go below zero. The
  time floor is credit for receiving help; handing it out would mint minutes nobody earned. The
  test runs after ``post_entry`` has changed, and so locked, the giver's balance row, so two gifts
  at once cannot both pass it.
- A grant moves points or minutes from the community's issuance account into its love bank
  (staff, with a reason): one "grant" entry.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core import errors
from ledger.core.balances import current_balance, standings
from ledger.core.communities import WithAccounts, get_member, member_account, system_account
from ledger.core.journal import EntryDraft, EntryRecord, PostingDraft, post_entry
from ledger.core.models import MEMO_MAX_LENGTH, UNITS, AccountBalance, Community, Member
from ledger.supermarket.redemptions import release_expired_holds
from ledger.webhooks import outbox

from . import errors as tb

LOVE_BANK = "love_bank"  # the ``to`` of a donation
GIVING_FLOOR = 0


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise errors.UnknownUnit(unit=unit, units=list(UNITS))


def _short_of(account_id: str, available: int, amount: int, unit: str) -> errors.LedgerError:
    return errors.InsufficientBalance(
        f"a member gives only what they have: {available} {unit} available, {amount} requested",
        account=account_id,
        balance=available,
        floor=GIVING_FLOOR,
        requested=amount,
    )


def give(
    session: Session,
    *,
    giver_id: str,
    to: str,
    unit: str,
    amount: int,
    memo: str,
    now: datetime,
    api_key_id: str | None = None,
) -> EntryRecord:
    """A gift to another member of the giver's community, or (``to=LOVE_BANK``) a donation."""
    _check_unit(unit)
    giver = get_member(session, giver_id)
    source = member_account(session, giver.id, unit)
    if to == LOVE_BANK:
        kind, target = "donation", system_account(session, giver.community_id, "love_bank", unit)
        details = {"from_member": giver.id, "to": LOVE_BANK}
    else:
        recipient = session.get(Member, to)
        if recipient is None or recipient.community_id != giver.community_id:
            raise tb.RecipientNotFound(f"no member {to} in the giver's community", member=to)
        if recipient.id == giver.id:
            raise tb.CannotGiveToSelf(member=to)
        kind, target = "transfer", member_account(session, recipient.id, unit)
        details = {"from_member": giver.id, "to_member": recipient.id}
    if unit == "points":
        release_expired_holds(session, giver.id, now=now)  # only shops hold points
    available = current_balance(session, source.id).available
    if available - amount < GIVING_FLOOR:
        raise _short_of(source.id, available, amount, unit)
    # A savepoint: a gift refused by the re-check below leaves nothing behind.
    with session.begin_nested():
        record = post_entry(
            session,
            EntryDraft(
                community_id=giver.community_id,
                kind=kind,
                postings=[PostingDraft(source.id, target.id, unit, amount)],
                memo=memo.strip(),
                details=details,
                api_key_id=api_key_id,
            ),
            now=now,
        )
        # The row is ours until commit now: this is the test that holds under concurrent gifts.
        row = session.execute(
            sa.select(AccountBalance.posted, AccountBalance.pending_out).where(
                AccountBalance.account_id == source.id
            )
        ).one()
        if row.posted - row.pending_out < GIVING_FLOOR:
            raise _short_of(source.id, row.posted - row.pending_out + amount, amount, unit)
        outbox.record(session, "transfer.posted", record, at=now)
    return record


def grant_to_love_bank(
    session: Session,
    *,
    community_id: str,
    unit: str,
    amount: int,
    reason: str,
    now: datetime,
    api_key_id: str | None = None,
    cause_id: str | None = None,
) -> EntryRecord:
    """Staff grant points or minutes from issuance into the love bank; a reason is required.

    ``cause_id`` names what led to it (an approval request)."""
    _check_unit(unit)
    reason = errors.require_reason(reason, max_length=MEMO_MAX_LENGTH)
    issuance = system_account(session, community_id, "issuance", unit)
    love_bank = system_account(session, community_id, "love_bank", unit)
    return post_entry(
        session,
        EntryDraft(
            community_id=community_id,
            kind="grant",
            postings=[PostingDraft(issuance.id, love_bank.id, unit, amount)],
            memo=reason,
            details={"reason": reason, "to": LOVE_BANK},
            cause_id=cause_id,
            api_key_id=api_key_id,
        ),
        now=now,
    )


# Reading ----------------------------------------------------------------------------------------
LOVE_BANK_UNITS = ("minutes", "points")  # the order the love bank's balances are shown in


def love_bank(session: Session, community: Community, *, now: datetime) -> WithAccounts:
    """The community's love bank accounts, minutes then points, with their balances."""
    accounts = [system_account(session, community.id, LOVE_BANK, unit) for unit in LOVE_BANK_UNITS]
    return WithAccounts(community, standings(session, accounts, now=now))
