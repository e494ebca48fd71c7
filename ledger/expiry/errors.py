"""One exception per rule of point expiry, with the numbers that explain it."""

from ledger.core import errors


class ExpiryMonthsOutOfRange(errors.Invalid):
    slug = "expiry-months-out-of-range"
    title = "Points expire after 1 to 120 months, or never."


class LotsChanged(errors.Conflict):
    """The lots an expiry was about to take changed under it (a concurrent spend); the sweep
    reads them again."""

    slug = "lots-changed"
    title = "The expiring lots changed while they were being expired."
