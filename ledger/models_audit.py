"""Tables of the audit capability (see its module in ledger/)."""

from .models import Base  # noqa: F401
