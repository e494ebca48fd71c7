"""One exception per rule of closing members, districts and moves."""

from ledger.core import errors


class MemberClosed(errors.Conflict):
    slug = "member-closed"
    title = "The member is closed."


class ClosingRecipientNotFound(errors.NotFound):
    slug = "closing-recipient-not-found"
    title = "No such open member in the closing member's community."


class CannotCloseToSelf(errors.Invalid):
    slug = "cannot-close-to-self"
    title = "A closing member's remainder goes to someone else."


class MemberHasHolds(errors.Conflict):
    slug = "member-has-holds"
    title = "The member has amounts on hold; capture or release them before closing."


class MemberOwesMinutes(errors.Refused):
    slug = "member-owes-minutes"
    title = "The member's minutes are below zero; settle them before closing or moving."


class DistrictNotFound(errors.NotFound):
    slug = "district-not-found"
    title = "No such district."


class DistrictExists(errors.Conflict):
    slug = "district-exists"
    title = "A district with this slug already exists."


class CommunityInOtherDistrict(errors.Conflict):
    slug = "community-in-other-district"
    title = "The community already belongs to another district."


class NotInSameDistrict(errors.Refused):
    slug = "not-in-same-district"
    title = "Time credits move only between two communities of the same district."


class MoveWithinCommunity(errors.Invalid):
    slug = "move-within-community"
    title = "A move goes to another community; within one, give the minutes instead."


class MoveExceedsBalance(errors.Refused):
    slug = "move-exceeds-balance"
    title = "A resident moves only the minutes she has."


class ClosingNotFound(errors.NotFound):
    slug = "closing-not-found"
    title = "The member has not been closed."


class ClearingPairNotFound(errors.NotFound):
    slug = "clearing-pair-not-found"
    title = "These two communities are not a pair of this district."
