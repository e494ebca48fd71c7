"""One exception per ledger rule, each carrying the numbers that explain it.

The web edge maps the four families (:class:`NotFound`, :class:`Invalid`, :class:`Refused`,
:class:`Conflict`) to HTTP once, in ``api/problems.py``; each rule supplies its own stable ``slug``
(the problem ``type``) and ``title``. Keyword arguments become extra members of the problem body.
"""

from typing import Any


class LedgerError(Exception):
    slug = "ledger-error"
    title = "The ledger refused this request."

    # detail is positional-only, so that numbers handed over as a dict (**numbers) type check.
    def __init__(self, detail: str | None = None, /, **numbers: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.numbers = numbers


# Families -----------------------------------------------------------------------------------
class NotFound(LedgerError):
    """The thing named does not exist (or is not the caller's to see)."""

    slug = "not-found"
    title = "Not found."


class Invalid(LedgerError):
    """The request is well-formed but breaks a rule of the ledger."""

    slug = "invalid"
    title = "The request breaks a ledger rule."


class Refused(LedgerError):
    """The request is valid but the state of the books does not allow it (balance, caps, locks)."""

    slug = "refused"
    title = "The ledger refused this request."


class Conflict(LedgerError):
    """The request clashes with the current state of a resource (already done, wrong state)."""

    slug = "conflict"
    title = "The request conflicts with the current state."


# Lookups ------------------------------------------------------------------------------------
class CommunityNotFound(NotFound):
    slug = "community-not-found"
    title = "No such community."


class MemberNotFound(NotFound):
    slug = "member-not-found"
    title = "No such member."


class AccountNotFound(NotFound):
    slug = "account-not-found"
    title = "No such account."


class EntryNotFound(NotFound):
    slug = "entry-not-found"
    title = "No such entry."


# Entry rules --------------------------------------------------------------------------------
class AmountMustBePositive(Invalid):
    slug = "amount-must-be-positive"
    title = "Every posting amount must be a positive integer."


class AmountTooLarge(Invalid):
    slug = "amount-too-large"
    title = "The amount is above the largest allowed."


class EntryHasNoPostings(Invalid):
    slug = "entry-has-no-postings"
    title = "An entry needs at least one posting."


class TooManyPostings(Invalid):
    slug = "too-many-postings"
    title = "The entry has more postings than allowed."


class SameAccountPosting(Invalid):
    slug = "same-account-posting"
    title = "A posting must move between two different accounts."


class UnitMismatch(Invalid):
    slug = "unit-mismatch"
    title = "A posting's unit must match both of its accounts."


class UnknownUnit(Invalid):
    slug = "unknown-unit"
    title = "Unknown unit."


class CrossCommunityPosting(Invalid):
    slug = "cross-community-posting"
    title = "Postings may only move between accounts of the entry's community."


class ReasonRequired(Invalid):
    slug = "reason-required"
    title = "A reason is required."


REASON_MAX_LENGTH = 500


def require_reason(reason: str | None, *, max_length: int = REASON_MAX_LENGTH) -> str:
    """The one check of a reason a person must give: stripped, present, not too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if len(reason) > max_length:
        raise Invalid("reason is too long", max_length=max_length)
    return reason


class AccountNotOpen(Refused):
    slug = "account-not-open"
    title = "The account is frozen or closed."


class InsufficientBalance(Refused):
    slug = "insufficient-balance"
    title = "The account's available balance does not cover this."


class AlreadyReversed(Conflict):
    slug = "already-reversed"
    title = "This entry has already been reversed."


class NotReversible(Conflict):
    slug = "not-reversible"
    title = "Only a posted entry that is not itself a reversal can be reversed."


class EntryNotPending(Conflict):
    slug = "entry-not-pending"
    title = "The entry is no longer pending."


# Communities and members --------------------------------------------------------------------
class CommunityExists(Conflict):
    slug = "community-exists"
    title = "A community with this slug already exists."


class MemberExists(Conflict):
    slug = "member-exists"
    title = "A member with this external reference already exists in the community."


class UnknownTimezone(Invalid):
    slug = "unknown-timezone"
    title = "Unknown time zone."
