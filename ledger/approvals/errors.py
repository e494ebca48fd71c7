"""One exception per rule of two-person approval."""

from ledger.core import errors


class ApprovalNotFound(errors.NotFound):
    slug = "approval-not-found"
    title = "No such approval request."


class ApprovalNotPending(errors.Conflict):
    slug = "approval-not-pending"
    title = "The approval request has already been decided."


class SecondPersonRequired(errors.Refused):
    """The web edge answers this one 403: the caller may not take this step, whatever the books."""

    slug = "second-person-required"
    title = "A held request is approved by a second person's key, not the requester's."


class ApproverIsBeneficiary(SecondPersonRequired):
    slug = "approver-is-beneficiary"
    title = "A request that credits a staff member's own account is approved by someone else."


class ThresholdInvalid(errors.Invalid):
    slug = "approval-threshold-invalid"
    title = "An approval threshold is a positive whole amount, or none."
