"""One exception per rule of the time bank and the love bank, with the numbers that explain it."""

from ledger.core import errors


# Lookups ------------------------------------------------------------------------------------
class ServiceNotFound(errors.NotFound):
    slug = "service-not-found"
    title = "No such service request."


class RequesterNotFound(errors.NotFound):
    slug = "requester-not-found"
    title = "No such member in this community to request the service."


class VolunteerNotFound(errors.NotFound):
    slug = "volunteer-not-found"
    title = "No such member in this community to serve."


class RecipientNotFound(errors.NotFound):
    slug = "recipient-not-found"
    title = "No such member in the giver's community."


# Service requests ---------------------------------------------------------------------------
class UnknownFunder(errors.Invalid):
    slug = "unknown-funder"
    title = "A service is funded by the requester or by the love bank."


class ServiceMinutesOutOfRange(errors.Invalid):
    slug = "service-minutes-out-of-range"
    title = "A service's minutes must be positive and at most the longest service allowed."


class OverrunTooLarge(errors.Invalid):
    slug = "service-overrun-too-large"
    title = "The actual minutes exceed the estimate by more than the allowance."


class StarsOutOfRange(errors.Invalid):
    slug = "stars-out-of-range"
    title = "A rating is 1 to 5 stars."


class CannotServeOwnRequest(errors.Refused):
    slug = "cannot-serve-own-request"
    title = "A member cannot serve their own request."


class VolunteerCannotConfirm(errors.Refused):
    slug = "volunteer-cannot-confirm"
    title = "The volunteer who performed a service cannot confirm it."


class FunderCannotCover(errors.Refused):
    slug = "funder-cannot-cover"
    title = "The funder's time credits do not cover these minutes."


class ServiceStateConflict(errors.Conflict):
    slug = "service-state-conflict"
    title = "The service is not in a state that allows this step."


class ServiceAlreadyRated(ServiceStateConflict):
    slug = "service-already-rated"
    title = "This service has already been rated."


# Gifts, donations, grants -------------------------------------------------------------------
class CannotGiveToSelf(errors.Invalid):
    slug = "cannot-give-to-self"
    title = "A gift goes to another member."


# Exchange of points for time credits -----------------------------------------------------------
class ExchangeOff(errors.Refused):
    slug = "exchange-off"
    title = "This community does not exchange points for time credits."


class ExchangeRateOutOfRange(errors.Invalid):
    slug = "exchange-rate-out-of-range"
    title = "An exchange rate is a positive number of points for a positive number of minutes."


class ExchangeNotWholeSteps(errors.Invalid):
    slug = "exchange-not-whole-steps"
    title = "Points are exchanged in whole steps of the rate."


class ExchangeCapReached(errors.Refused):
    slug = "exchange-cap-reached"
    title = "This exchange would pass the member's monthly cap on minutes."
