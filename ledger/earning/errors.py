"""The rules of earning, one exception each, carrying the numbers that explain them."""

from ledger.core.errors import Conflict, Invalid, NotFound, Refused


# Rules ----------------------------------------------------------------------------------------
class ActivityNameInvalid(Invalid):
    slug = "activity-name-invalid"
    title = "An activity is dotted lowercase words, such as 'cleanup.join'."


class CapNeedsALimit(Invalid):
    slug = "cap-needs-a-limit"
    title = "A cap names max_points, max_count or both."


class CapPeriodRepeated(Invalid):
    slug = "cap-period-repeated"
    title = "A rule has at most one cap per period; one cap may name both limits."


class ValidityWindowEmpty(Invalid):
    slug = "validity-window-empty"
    title = "valid_from must come before valid_to."


class RuleNotFound(NotFound):
    slug = "rule-not-found"
    title = "The community has no rule for this activity."


class RuleChangedConcurrently(Conflict):
    slug = "rule-changed-concurrently"
    title = "Another change to this rule was saved at the same moment; read it and retry."


# Events ---------------------------------------------------------------------------------------
class EventNotFound(NotFound):
    slug = "event-not-found"
    title = "No such event."


class MemberNotNamed(Invalid):
    slug = "member-not-named"
    title = "Name the member by id (member) or by reference (member_ref), exactly one of them."


class RecordedBySelf(Refused):
    slug = "recorded-by-self"
    title = "A member cannot record their own award."


class OccurredInFuture(Invalid):
    slug = "occurred-in-future"
    title = "The event's occurred_at is in the future."


class OccurredTooLongAgo(Invalid):
    slug = "occurred-too-long-ago"
    title = "The event is older than the backdating window allows."


class RuleNotValidThen(Refused):
    slug = "rule-not-valid-then"
    title = "The rule in force when the event occurred was outside its validity window."


class QuantityRequired(Invalid):
    slug = "quantity-required"
    title = "A per-hour rule needs the event's quantity in minutes."


class QuantityNotAllowed(Invalid):
    slug = "quantity-not-allowed"
    title = "A per-event rule awards per event: quantity must be 1 or left out."


class QuantityNotPositive(Invalid):
    slug = "quantity-not-positive"
    title = "An event's quantity is a positive whole number."


class QuantityTooLarge(Invalid):
    slug = "quantity-too-large"
    title = "The event's quantity is above the largest allowed."


class SourceIdReused(Conflict):
    slug = "source-id-reused"
    title = "This source_id was already used for a different event."


class BatchTooLarge(Invalid):
    slug = "batch-too-large"
    title = "The batch holds more events than allowed."


# Public notice ---------------------------------------------------------------------------------
class EventNotPending(Conflict):
    slug = "event-not-pending"
    title = "Only an award under public notice can be objected to."


class NoticePeriodOver(Conflict):
    slug = "notice-period-over"
    title = "The public notice period has ended; the award vests."
