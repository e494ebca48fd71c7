"""The rules of gatherings, one exception each, carrying the numbers that explain them."""

from ledger.core.errors import Conflict, Invalid, NotFound, Refused


class GatheringNotFound(NotFound):
    slug = "gathering-not-found"
    title = "No such gathering."


class TopicNotFound(NotFound):
    slug = "topic-not-found"
    title = "The gathering has no topic at this position."


class GatheringTimesInvalid(Invalid):
    slug = "gathering-times-invalid"
    title = "A gathering ends after it starts, and lasts at most the longest allowed."


class GatheringTextInvalid(Invalid):
    slug = "gathering-text-invalid"
    title = "A title, place, topic or decision is required and within its length."


class OrganizerNotNamed(Invalid):
    slug = "organizer-not-named"
    title = "Name the organizer: a member of the community, or a staff name."


class TooManyTopics(Invalid):
    slug = "too-many-topics"
    title = "A gathering has at most the largest allowed number of topics."


class SigninCodeExpired(Refused):
    slug = "signin-code-expired"
    title = "This sign-in code has expired; scan the code shown now."


class OutsideSigninWindow(Refused):
    slug = "outside-signin-window"
    title = "Sign-in is open only from shortly before the gathering until shortly after it."


class NotTheOrganizer(Refused):
    slug = "not-the-organizer"
    title = "Only the gathering's organizer (or staff) ticks the roll call."


class GatheringNotOver(Conflict):
    slug = "gathering-not-over"
    title = "The outcome of a gathering is recorded once it has ended."


class AlreadyPublished(Conflict):
    slug = "gathering-already-published"
    title = "The outcome was published; add feedback on its decisions instead."


class NotPublished(Conflict):
    slug = "gathering-not-published"
    title = "Feedback follows a published outcome."


class TopicUndecided(Conflict):
    slug = "topic-undecided"
    title = "Every topic needs its decision and who carries it out before publishing."


class ReportSpanInvalid(Invalid):
    slug = "report-span-invalid"
    title = "A report runs from since to a later until, over at most the longest span allowed."
